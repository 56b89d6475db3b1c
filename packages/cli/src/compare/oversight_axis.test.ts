import { describe, expect, it } from 'vitest';
import { oversightVariants, parseFractions, rlOversightVariants } from './oversight_axis.ts';

const defs = {
  none: { data: 'none', scheme: 'none' },
  'ip-specific': { data: 'ip-specific', scheme: 'none' },
  filter: { data: 'filter', scheme: 'none' },
  era: { data: 'none', scheme: 'era', schemeConfig: { targets: [] }, description: 'ERA' },
};
const full = { labelFraction: 1, labelNoise: 0 };

describe('compare --oversight / --label-noise', () => {
  it('adds a variant per point to the arms that read labels (routing, filter), right after each, and none to the rest', () => {
    const { arms, armDefinitions } = oversightVariants(['none', 'ip-specific', 'filter', 'era'], defs, full, [1, 0.5, 0.1], undefined);
    expect(arms).toEqual(['none', 'ip-specific', 'filter', 'filter_lf0.5', 'filter_lf0.1', 'era', 'era_lf0.5', 'era_lf0.1']);
    expect(armDefinitions['era_lf0.1']).toMatchObject({ data: 'none', scheme: 'era', schemeConfig: { targets: [] }, oversight: { labelFraction: 0.1, labelNoise: 0 } });
    expect(armDefinitions['era_lf0.1']!['description']).toBe('ERA (label fraction 0.1, label noise 0)');
  });

  it('crosses label noise with the fractions', () => {
    const { arms } = oversightVariants(['none', 'era'], defs, full, [1, 0.5], [0, 0.1]);
    expect(arms).toEqual(['none', 'era', 'era_lf1_ln0.1', 'era_lf0.5_ln0', 'era_lf0.5_ln0.1']);
  });

  it('changes nothing without the flags', () => {
    expect(oversightVariants(['none', 'era'], defs, full, undefined, undefined)).toEqual({ arms: ['none', 'era'], armDefinitions: {} });
  });

  it('refuses values outside [0, 1], naming the flag', () => {
    expect(parseFractions('--oversight', '1,0.5')).toEqual([1, 0.5]);
    expect(() => parseFractions('--oversight', '1,1.5')).toThrow(/--oversight: expected comma-separated fractions in \[0, 1\], got "1,1.5"/);
    expect(() => parseFractions('--label-noise', 'x')).toThrow(/--label-noise/);
    expect(() => parseFractions('--oversight', '0.5,')).toThrow(/--oversight/);
  });
});

describe('compare --experiment rl --oversight', () => {
  const rlDefs = {
    none: { flagged: 'keep', scheme: 'none' },
    'ip-on-policy': { flagged: 'keep', scheme: 'none', prompt: { rollout: 'specific' } },
    penalty: { flagged: 'penalty', scheme: 'none', penalty: 1 },
    era: { flagged: 'keep', scheme: 'era', description: 'ERA', oversight: { recall: 1, falsePositiveRate: 0.05 } },
    'early-stopping': { flagged: 'keep', scheme: 'none', earlyStopping: { every: 5 } },
    'era-recall-0.1': { flagged: 'keep', scheme: 'era', oversight: { recall: 0.1, falsePositiveRate: 0 } },
  };
  const monitor = { recall: 1, falsePositiveRate: 0 };

  it('adds a recall variant to the arms that read the monitor (penalty, filter, routing, early stopping), keeping their false-positive rate', () => {
    const { arms, armDefinitions } = rlOversightVariants(['none', 'ip-on-policy', 'penalty', 'era', 'early-stopping'], rlDefs, monitor, [1, 0.1, 0.01]);
    expect(arms).toEqual([
      'none', 'ip-on-policy', 'penalty', 'penalty-recall-0.1', 'penalty-recall-0.01', 'era', 'era-recall-0.1', 'era-recall-0.01',
      'early-stopping', 'early-stopping-recall-0.1', 'early-stopping-recall-0.01',
    ]);
    expect(armDefinitions['era-recall-0.01']).toMatchObject({ scheme: 'era', oversight: { recall: 0.01, falsePositiveRate: 0.05 }, description: 'ERA (monitor recall 0.01)' });
    expect(armDefinitions['penalty-recall-0.1']!.oversight).toEqual({ recall: 0.1, falsePositiveRate: 0 });
  });

  it('does not add a variant that an arm in the list already is', () => {
    const defs = { ...rlDefs, era: { flagged: 'keep', scheme: 'era', description: 'ERA' }, 'era-recall-0.5': { flagged: 'keep', scheme: 'era', description: 'ERA at 0.5', oversight: { recall: 0.5, falsePositiveRate: 0 } } };
    // era at 0.1 is era-recall-0.1, and era-recall-0.5 at 1 is era, at 0.1 era-recall-0.1: only era at 0.01 is new.
    const { arms, armDefinitions } = rlOversightVariants(['none', 'era', 'era-recall-0.1', 'era-recall-0.5'], defs, monitor, [1, 0.1, 0.01]);
    expect(arms).toEqual(['none', 'era', 'era-recall-0.01', 'era-recall-0.1', 'era-recall-0.5']);
    expect(Object.keys(armDefinitions)).toEqual(['era-recall-0.01']);
  });

  it('changes nothing without the flag', () => {
    expect(rlOversightVariants(['none', 'era'], rlDefs, monitor, undefined)).toEqual({ arms: ['none', 'era'], armDefinitions: {} });
  });
});

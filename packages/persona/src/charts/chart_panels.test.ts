import { describe, expect, it } from 'vitest';
import { armKind, chartPanels, chartRoles, type ArmFacts } from './chart_panels.ts';

const plain = (data: string): ArmFacts => ({ data, scheme: 'none' });
const facts: Record<string, ArmFacts> = {
  none: plain('none'),
  'ip-specific': plain('ip-specific'),
  'ip-general': plain('ip-general'),
  'control-irrelevant': plain('control-irrelevant'),
  'control-empty': plain('control-empty'),
  filter: plain('filter'),
  era: { data: 'none', scheme: 'era' },
  'era+ip': { data: 'ip-specific', scheme: 'era' },
  // A researcher's arms: a plugin scheme on the plain data, and the same scheme on inoculated data.
  leaky: { data: 'none', scheme: 'leaky-split' },
  'leaky+ip': { data: 'ip-specific', scheme: 'leaky-split' },
  recontextualization: plain('recontextualization'),
};
const order = Object.keys(facts);
const armsOf = (panels: ReturnType<typeof chartPanels>, id: string) => panels.find((p) => p.id === id)?.arms.map((a) => a.arm);

describe('chart panels', () => {
  const panels = chartPanels(order, facts, chartRoles(undefined));

  it('puts a plugin routing arm with the routing arms, and on inoculated data with the combined ones', () => {
    expect(armsOf(panels, 'q1-q4')).toEqual(['none', 'ip-specific', 'era', 'leaky', 'filter']);
    expect(panels.find((p) => p.id === 'q1-q4')!.arms.find((a) => a.arm === 'leaky')!.kind).toBe('routing');
    expect(armsOf(panels, 'q6')).toEqual(['none', 'ip-specific', 'era', 'era+ip', 'leaky+ip']);
    expect(armKind(facts['leaky+ip']!)).toBe('routing + inoculation');
  });

  it('draws each control right after the inoculation arm it controls for, the reference first', () => {
    expect(armsOf(panels, 'q2')).toEqual(['none', 'ip-specific', 'control-irrelevant', 'control-empty', 'ip-general']);
    expect(panels.find((p) => p.id === 'q2')!.arms.map((a) => a.kind)).toEqual(['reference', 'inoculation', 'control', 'control', 'inoculation']);
  });

  it('places every arm somewhere (an arm no question uses goes to "Other arms") and skips the impure panel without impure data', () => {
    const placed = new Set(panels.flatMap((p) => p.arms.map((a) => a.arm)));
    expect([...placed].sort()).toEqual([...order].sort());
    expect(armsOf(panels, 'other')).toEqual(['none', 'recontextualization']);
    expect(panels.map((p) => p.id)).not.toContain('q3');
  });

  it('reads the impure arms against none-impure, and follows the roles the report gives', () => {
    const impure = { ...facts, 'none-impure': plain('none-impure'), 'impure-ip-u-only': plain('impure-ip-u-only'), 'leaky-impure': { data: 'none-impure', scheme: 'leaky-split' } };
    const roles = chartRoles({ routing: 'leaky', inoculation: 'ip-general' });
    const ps = chartPanels(Object.keys(impure), impure, roles);
    const q3 = ps.find((p) => p.id === 'q3')!;
    expect(q3.reference).toBe('none-impure');
    expect(q3.arms.map((a) => a.arm)).toEqual(['none-impure', 'impure-ip-u-only', 'leaky-impure', 'filter']);
    expect(armsOf(ps, 'q1-q4')!.slice(0, 3)).toEqual(['none', 'ip-general', 'leaky']);
    expect(armsOf(ps, 'q2')!.slice(0, 3)).toEqual(['none', 'ip-general', 'control-irrelevant']);
  });

  it('shows G only where the question asks about it', () => {
    expect(panels.find((p) => p.id === 'q1-q4')!.metrics).toContain('G');
    expect(panels.find((p) => p.id === 'q2')!.metrics).not.toContain('G');
  });
});

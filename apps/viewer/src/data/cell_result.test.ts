import { describe, expect, it } from 'vitest';
import { cellResult, isCellResult, metricsToShow } from './cell_result.ts';

// The shape of a persona cell result (results/cells/<arm>/seed-<s>.json), trimmed.
const eraResult = {
  arm: 'era',
  seed: 1,
  scheme: 'era',
  eval: { neutral: { n: 12, U: 0.25, G: 0.5, W: 0, capability: 0.75 }, negated: { n: 12, U: 0.5, G: 0, W: 'NaN', capability: 0.5 } },
  retainLoss: 1.5,
  forgetLoss: 4,
  beforeAblation: { eval: { neutral: { n: 12, U: 1, G: 0.5, W: 0, capability: 0.75 } }, retainLoss: 1.4, forgetLoss: 0.3 },
  gradientLeak: { region: ['blocks.*.mlp.*_expanded'], forgetShareOutside: 0.9, unlabelledShareOutside: 'NaN', forgetByGroup: { unembed: 3, 'blocks.0.mlp': 1 }, snapshots: 4 },
};

describe('a cell result for the inspector', () => {
  const results = new Map<string, unknown>([
    ['cells/none/seed-1', { arm: 'none', seed: 1, eval: { neutral: { U: 1 } } }],
    ['cells/era/seed-1', eraResult],
    ['summary', { arm: 'era', seed: 1 }],
  ]);

  it("is found by its arm and seed fields; rates after and before ablation, losses, and the leak measure", () => {
    const view = cellResult(results, 'era/seed-1')!;
    expect(view.name).toBe('cells/era/seed-1');
    expect(view.after.eval.neutral).toEqual({ n: 12, U: 0.25, G: 0.5, W: 0, capability: 0.75 });
    expect(view.after.eval.negated!.W).toBeNaN();
    expect(view.before!.eval.neutral!.U).toBe(1);
    expect(view.before!.losses).toEqual({ retainLoss: 1.4, forgetLoss: 0.3 });
    expect(view.leak!.forgetShareOutside).toBe(0.9);
    expect(view.leak!.unlabelledShareOutside).toBeNaN();
    expect(view.leak!.forgetByGroup).toEqual([
      { group: 'unembed', mass: 3, share: 0.75 },
      { group: 'blocks.0.mlp', mass: 1, share: 0.25 },
    ]);
    expect(cellResult(results, 'era/seed-2')).toBeUndefined();
    expect(cellResult(results, 'none/seed-1')!.before).toBeUndefined();
    expect(isCellResult(results.get('summary'))).toBe(false);
  });

  it("tabulates the metrics the report declares, else every one the evaluation has", () => {
    const view = cellResult(results, 'era/seed-1')!;
    expect(metricsToShow({ metrics: ['U', 'G', 'W', 'capability'] }, view)).toEqual(['U', 'G', 'W', 'capability']);
    expect(metricsToShow({}, view)).toEqual(['n', 'U', 'G', 'W', 'capability']);
  });
});

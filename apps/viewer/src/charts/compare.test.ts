import { describe, expect, it } from 'vitest';
import { compareSpec, metricBounds } from './compare.ts';

type Spec = { data: { values: { lo: number; hi: number }[] }; layer: { encoding: { x: { scale?: unknown } } }[] };

describe('compare spec', () => {
  it('spans a persona rate over [0, 1] and clips its intervals to it', () => {
    const spec = compareSpec([{ arm: 'filter', mean: 0.02, lo: -0.1, hi: 0.14 }, { arm: 'none', mean: 0.95, lo: 0.8, hi: 1.1 }], { metric: 'U', condition: 'neutral' }) as unknown as Spec;
    expect(spec.data.values.map((v) => [v.lo, v.hi])).toEqual([[0, 0.14], [0.8, 1]]);
    expect(spec.layer[0]!.encoding.x.scale).toEqual({ domain: [0, 1], nice: false });
  });

  it('leaves an unbounded metric to its data', () => {
    expect(metricBounds('neutral.capability')).toEqual([0, 1]);
    expect(metricBounds('retainLoss')).toBeNull();
    const spec = compareSpec([{ arm: 'none', mean: 2.5, lo: -1, hi: 6 }], { metric: 'retainLoss', condition: null }) as unknown as Spec;
    expect(spec.data.values[0]).toMatchObject({ lo: -1, hi: 6 });
    expect(spec.layer[0]!.encoding.x.scale).toEqual({ zero: false });
  });
});

import { RL_REPORT_METRICS } from '@routelab/persona';
import { describe, expect, it } from 'vitest';
import { isRlReport, RL_COLUMNS, rlView } from './rl_report.ts';

const iv = (mean: number, hw: number, n = 3) => ({ mean, lo: mean - hw, hi: mean + hw, halfWidth: hw, n, std: hw });
const report = {
  experiment: 'rl',
  arms: ['none', 'era'],
  check: { name: 'none learns to hack', note: 'met', met: true },
  summaries: [
    { arm: 'none', seeds: [0, 1, 2], metrics: { 'hack rate (neutral)': { interval: iv(0.9, 0.2), perSeed: [] }, 'G (neutral)': { interval: null, perSeed: [] } }, curve: [{ step: 0, hack: 0.1, true: 0.8 }, { step: 10, hack: 0.9, true: 0.2 }] },
    {
      arm: 'era',
      seeds: [0, 1, 2],
      metrics: { 'hack rate (neutral)': { interval: iv(0.1, 0.3), perSeed: [] } },
      pairedVsNone: { 'hack rate (neutral)': { ...iv(-0.8, 0.1), seeds: [0, 1, 2] }, 'true reward (neutral)': { ...iv(0.1, 0.2), seeds: [0, 1, 2] } },
      curve: [{ step: 0, hack: 0.1, true: 0.8 }, { step: 10, hack: 0.1, true: 0.7 }],
    },
  ],
};

describe('rl report in the viewer', () => {
  it('reads the same metrics the rl report writes', () => {
    expect(RL_COLUMNS.map((c) => c.metric).sort()).toEqual(RL_REPORT_METRICS.map(([name]) => name).sort());
  });

  it('gives per-arm intervals clipped to [0, 1], paired differences as they are, and one curve per arm', () => {
    expect(isRlReport(report)).toBe(true);
    expect(isRlReport({ arms: ['none'], results: {} })).toBe(false);
    const view = rlView(report)!;
    expect(view.arms).toEqual(['none', 'era']);
    const none = view.rows[0]!;
    expect(none.values['hack rate (neutral)']).toEqual({ mean: 0.9, lo: 0.7, hi: 1, n: 3 });
    expect(none.values['G (neutral)']).toBeNull();
    expect(none.paired).toBeUndefined();
    const era = view.rows[1]!;
    expect(era.values['hack rate (neutral)']!.lo).toBe(0);
    expect(era.paired!['hack rate (neutral)']).toMatchObject({ mean: -0.8, significant: true });
    expect(era.paired!['true reward (neutral)']).toMatchObject({ significant: false });
    expect(rlView({ ...report, summaries: [{ ...report.summaries[1], pairedVsNone: { 'G (neutral)': iv(-0.4, 4) } }] })!.rows[0]!.paired!['G (neutral)']).toMatchObject({ lo: -1, hi: 1 });
    expect(view.hackCurve.filter((p) => p.series === 'era').map((p) => p.value)).toEqual([0.1, 0.1]);
    expect(view.trueCurve).toHaveLength(4);
    expect(view.check).toEqual({ name: 'none learns to hack', note: 'met', met: true });
  });
});

import { describe, expect, it } from 'vitest';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { rlArmMarks, rlChartSpec, rlCurveMarks, RL_CHART_METRICS } from './rl_chart.ts';
import { RL_CHART_TEST_REPORT as report } from './rl_chart_test_report.ts';

describe('rl chart', () => {
  it('gives every arm a labelled dot per metric, its interval clipped to [0, 1] (the mean itself without one)', () => {
    const marks = rlArmMarks(report);
    expect(marks).toHaveLength(report.arms.length * RL_CHART_METRICS.length);
    for (const m of marks) {
      expect(m.lo).toBeGreaterThanOrEqual(0);
      expect(m.hi).toBeLessThanOrEqual(1);
      expect(m.lo).toBeLessThanOrEqual(m.mean);
      expect(m.hi).toBeGreaterThanOrEqual(m.mean);
      expect(m.label).toBe(m.mean.toFixed(2));
    }
    const noneHack = marks.find((m) => m.arm === 'none' && m.metric === 'hack rate (neutral)')!;
    expect([noneHack.mean, noneHack.hi, noneHack.reference]).toEqual([0.92, 1, true]);
    const filter = marks.find((m) => m.arm === 'filter' && m.metric === 'true reward (neutral)')!;
    expect([filter.lo, filter.hi, filter.seeds]).toEqual([0.4, 0.4, 1]);
  });

  it('draws one curve per arm and quantity, its name at its last point, names at least a line apart', () => {
    const curves = rlCurveMarks(report);
    for (const quantity of ['hack rate (neutral)', 'true reward (neutral)'] as const) {
      const ends = curves.filter((m) => m.quantity === quantity && m.last);
      expect(ends.map((m) => m.arm).sort()).toEqual([...report.arms].sort());
      expect(ends.every((m) => m.step === 30)).toBe(true);
      const ys = ends.map((m) => m.labelY!).sort((a, b) => a - b);
      for (let i = 1; i < ys.length; i++) expect(ys[i]! - ys[i - 1]!).toBeGreaterThanOrEqual(0.06 - 1e-9);
      expect(ys[0]).toBeGreaterThanOrEqual(0);
    }
    // ip-on-policy and recontextualization end at the same hack rate: both names are drawn, apart.
    const [a, b] = ['ip-on-policy', 'recontextualization'].map((arm) => curves.find((m) => m.arm === arm && m.last && m.quantity === 'hack rate (neutral)')!);
    expect(a!.value).toBe(b!.value);
    expect(a!.labelY).not.toBe(b!.labelY);
  });

  it('compiles without warnings, with [0, 1] axes', () => {
    const warnings: string[] = [];
    const logger = { level: () => logger, warn: (...m: unknown[]) => (warnings.push(m.join(' ')), logger), info: () => logger, debug: () => logger, error: (...m: unknown[]) => (warnings.push(m.join(' ')), logger) };
    const spec = rlChartSpec(report);
    compile(spec as unknown as TopLevelSpec, { logger: logger as never });
    expect(warnings).toEqual([]);
    expect(JSON.stringify(spec)).toContain('"domain":[0,1]');
  });
});

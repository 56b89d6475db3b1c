import { describe, expect, it } from 'vitest';
import { chartTestReport } from './chart_test_report.ts';
import { elicitationPoints } from './elicitation_chart.ts';
import { suppressionChartSpec } from './suppression_chart.ts';

type Spec = { title: { subtitle: string[] }; vconcat: { title: { text: string } }[] };

describe('elicitation against suppression', () => {
  it('plots the plainly trained arms on pure data that have an uplift: not routing, impure or filtered arms', () => {
    const report = chartTestReport({ elicitation: true });
    const { points, note } = elicitationPoints(report, 'none');
    expect(note).toBeNull();
    expect(points.map((p) => p.arm).sort()).toEqual(['control-empty', 'control-irrelevant', 'ip-clean', 'ip-general', 'ip-rephrased', 'ip-specific', 'recontextualization']);
    const ip = points.find((p) => p.arm === 'ip-specific')!;
    // none's U 0.95, ip-specific's 0.35: suppression 0.6, paired interval +-0.1.
    expect(ip.suppression).toBeCloseTo(0.6, 10);
    expect([ip.suppressionLo, ip.suppressionHi].map((v) => +v.toFixed(10))).toEqual([0.5, 0.7]);
    expect(ip).toMatchObject({ prompt: 'specific', uplift: 2.4, kind: 'inoculation' });
    expect(points.every((p) => p.suppressionLo >= -1 && p.suppressionHi <= 1)).toBe(true);
    // Neighbours by uplift put their names on opposite sides of their dots.
    const byUplift = [...points].sort((a, b) => a.uplift - b.uplift).map((p) => p.labelAbove);
    expect(byUplift.every((above, i) => i === 0 || above !== byUplift[i - 1])).toBe(true);
    const spec = suppressionChartSpec(report) as unknown as Spec;
    expect(spec.vconcat.at(-1)!.title.text).toMatch(/^Elicitation against suppression/);
  });

  it('is left out, with a note saying why, when the report has no pre-screen by arm', () => {
    const report = chartTestReport();
    expect(elicitationPoints(report, 'none')).toEqual({ points: [], note: expect.stringContaining('elicitation.arms') });
    const spec = suppressionChartSpec(report) as unknown as Spec;
    expect(spec.title.subtitle.join(' ')).toContain('no elicitation pre-screen');
    expect(spec.vconcat.some((p) => /Elicitation/.test(p.title.text))).toBe(false);
  });
});

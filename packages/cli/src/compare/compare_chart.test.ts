import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { suppressionChartSpec, type PersonaReportForChart } from '@routelab/persona';
import { renderCompareChart, renderRlChart } from './compare_chart.ts';

const iv = (mean: number, hw: number) => ({ mean, lo: mean - hw, hi: mean + hw });
/** [data, scheme, neutral U, W, capability]; `leaky` is a researcher's plugin scheme. */
const arms: Record<string, [string, string, number, number, number]> = {
  none: ['none', 'none', 0.95, 0.93, 0.9],
  'ip-specific': ['ip-specific', 'none', 0.35, 0.9, 0.86],
  'control-irrelevant': ['control-irrelevant', 'none', 0.8, 0.92, 0.89],
  era: ['none', 'era', 0.15, 0.85, 0.8],
  leaky: ['none', 'leaky-split', 0.4, 0.9, 0.85],
};
const report: PersonaReportForChart = {
  arms: Object.keys(arms),
  results: Object.fromEntries(
    Object.entries(arms).map(([arm, [data, scheme, U, W, capability]]) => [arm, { data, scheme, conditions: { neutral: { U: iv(U, 0.1), W: iv(W, 0.1), G: iv(0.1, 0.05), capability: iv(capability, 0.05) } } }]),
  ),
  pairedVsNone: Object.fromEntries(Object.entries(arms).filter(([a]) => a !== 'none').map(([arm, [, , U]]) => [arm, { conditions: { neutral: { U: iv(U - 0.95, 0.1) } } }])),
  questions: [
    {
      id: 'q1-routing-vs-ip',
      question: 'Does routing beat inoculation?',
      answer: '...',
      answerable: true,
      headline: { label: 'era - ip-specific, neutral U', estimate: -0.2, lo: -0.31, hi: -0.09, n: 5, decision: { significant: true, reason: 'Holm-adjusted p 0.03' } },
    },
    { id: 'q3-impure-data', question: 'Impure data?', answer: 'not answerable here: arm impure-ip-u-only not in the results.', answerable: false },
  ],
};

/** Pixels darker than near-white in an RGBA buffer. */
function inked(pixels: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < pixels.length; i += 4) if (pixels[i]! < 200 || pixels[i + 1]! < 200 || pixels[i + 2]! < 200) n++;
  return n;
}

describe('compare chart rendering', () => {
  it('compiles without warnings and labels every arm, value and question in the SVG text', async () => {
    const warnings: string[] = [];
    const logger = { level: () => logger, warn: (...m: unknown[]) => (warnings.push(m.join(' ')), logger), info: () => logger, debug: () => logger, error: (...m: unknown[]) => (warnings.push(m.join(' ')), logger) };
    compile(suppressionChartSpec(report) as unknown as TopLevelSpec, { logger: logger as never });
    expect(warnings).toEqual([]);

    const { svg, png } = await renderCompareChart(report);
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
    for (const arm of report.arms) expect(texts).toContain(arm);
    for (const value of ['0.95', '0.35', '0.80', '0.15', '0.40', '0.90']) expect(texts).toContain(value);
    expect(texts).toContain('Q1: era - ip-specific, neutral U');
    expect(texts).toContain('-0.20 [-0.31, -0.09], n=5: significant');
    expect(texts).toContain('Q3: impure data');
    expect(texts.some((t) => t.startsWith('Q1, Q4: routing against inoculation'))).toBe(true);
    // The axes run over what a rate can take: 0 to 1 for rates, -1 to 1 for their differences.
    expect(texts).toContain('−1.0');
    expect(texts).not.toContain('1.5');
    expect(new TextDecoder().decode(png.subarray(1, 4))).toBe('PNG');
  });

  it('draws the text in the PNG (a font was found): the labels add ink', async () => {
    const { svg } = await renderCompareChart(report);
    const options = { background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' } };
    const withText = inked(new Resvg(svg, options).render().pixels);
    const withoutText = inked(new Resvg(svg.replace(/<text[^>]*>[^<]*<\/text>/g, ''), options).render().pixels);
    // Without a loadable font resvg drops every glyph and both counts agree; install fonts-dejavu-core.
    expect(withText - withoutText).toBeGreaterThan(0.2 * withoutText);
  });
});

describe('rl chart rendering', () => {
  const summary = (arm: string, hack: number, truth: number) => ({
    arm,
    seeds: [0, 1],
    metrics: Object.fromEntries(
      [['hack rate (neutral)', hack], ['hack rate (inoculation prompt re-added)', 0.9], ['true reward (neutral)', truth], ['capability (neutral)', 0.7]].map(([m, v]) => [m, { interval: iv(v as number, 0.2) }]),
    ),
    curve: [{ step: 0, hack: 0.1, true: 0.8 }, { step: 4, hack, true: truth }],
  });
  const rlReport = { arms: ['none', 'era'], summaries: [summary('none', 0.93, 0.15), summary('era', 0.05, 0.75)], check: { name: 'none learns to hack', note: 'met' } };

  it('labels every arm, dot value, metric and curve, on [0, 1] axes, and draws a PNG', async () => {
    const { svg, png } = await renderRlChart(rlReport);
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
    for (const t of ['none', 'era', '0.93', '0.05', '0.15', '0.75', '0.90', '0.70', 'hack rate, neutral', 'hack rate, inoculation re-added', 'true reward', 'capability', 'RL step']) expect(texts).toContain(t);
    // Each arm's name appears in the legend, on the arm axis and at the end of its two curves.
    expect(texts.filter((t) => t === 'era').length).toBeGreaterThanOrEqual(4);
    expect(texts).not.toContain('1.2');
    expect(new TextDecoder().decode(png.subarray(1, 4))).toBe('PNG');
  });
});

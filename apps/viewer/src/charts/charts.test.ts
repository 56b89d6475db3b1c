// The spec builders give valid Vega-Lite: each compiles and renders to SVG in Node (as the CLI's reports will
// render them), with the data and labels it was given.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { blockHeatmapSpec, compareSpec, curveSpec, heatmapSpec, heatmapValue, massTotalsSpec } from './index.ts';

async function svgOf(spec: TopLevelSpec): Promise<string> {
  const warnings: string[] = [];
  const logger = { level: () => logger, warn: (...m: unknown[]) => (warnings.push(m.join(' ')), logger), info: () => logger, debug: () => logger, error: (...m: unknown[]) => (warnings.push(m.join(' ')), logger) };
  const { spec: vgSpec } = compile(spec, { logger: logger as never });
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  expect(warnings).toEqual([]);
  return svg;
}

describe('chart specs', () => {
  it('curves: a line per series, log scale only for positive values', async () => {
    const points = [1, 2, 3].flatMap((step) => ['seed-1', 'seed-2'].map((series) => ({ series, step: step * 10, value: 1 / step })));
    const spec = curveSpec(points, { metric: 'train loss', logY: true });
    expect(JSON.stringify(spec)).toContain('"type":"log"');
    expect(spec.description).toBe('train loss over training steps, 2 series: seed-1, seed-2');
    const svg = await svgOf(spec);
    expect(svg).toContain('train loss');
    expect(svg).toContain('seed-2');
    expect(JSON.stringify(curveSpec([{ series: 'a', step: 1, value: -1 }], { metric: 'x', logY: true }))).not.toContain('"type":"log"');
  });

  it('heatmap: one panel per class, routed regions solid, others dashed, labelled', async () => {
    const cells = ['forget', 'retain'].flatMap((cls) => [0, 10].flatMap((step) => Array.from({ length: 8 }, (_, neuron) => ({ cls, step, neuron, mass: neuron < 4 === (cls === 'forget') ? 1e-3 : 0 }))));
    const regions = [
      { cls: 'forget', from: 0, to: 4, label: 'a [0, 4)', routed: true },
      { cls: 'forget', from: 4, to: 8, label: 'b [4, 8)', routed: false },
      { cls: 'retain', from: 4, to: 8, label: 'b [4, 8)', routed: true },
    ];
    const spec = heatmapSpec(cells, regions, { parameter: 'encoder.code', classes: ['forget', 'retain'] });
    expect(spec.description).toMatch(/forget routed to a \[0, 4\); retain routed to b \[4, 8\)/);
    const svg = await svgOf(spec);
    expect(svg).toContain('a [0, 4): routed');
    expect(svg).toContain('stroke-dasharray="5,4"');
    expect(svg).toContain('>forget<');
    expect(svg).toContain('>retain<');
    // Without regions there are no outline layers at all.
    await svgOf(heatmapSpec(cells, [], { parameter: 'p', classes: ['forget', 'retain'], logColor: false, normalizeRows: true }));
  });

  it('block heatmap: a panel per class, a row per parameter in the given order, the routed region outlined and named in red', async () => {
    const order = ['token_embedding', 'blocks.0.mlp.w_in', 'blocks.0.mlp.w_in_expanded', 'unembed.weight'];
    const cells = ['forget', 'retain'].flatMap((cls) => [0, 5].flatMap((step) => order.map((parameter, i) => ({ cls, step, parameter, mass: 10 ** -i }))));
    const spec = blockHeatmapSpec(cells, { classes: ['forget', 'retain'], order, inRegion: new Set(['blocks.0.mlp.w_in_expanded']) });
    expect(spec.description).toBe('Gradient mass per parameter block at 2 training steps, for classes forget, retain; outlined: the routed region, blocks.0.mlp.w_in_expanded');
    const svg = await svgOf(spec);
    for (const p of order) expect(svg).toContain(`>${p}<`);
    // One outlined rect per class and step on the region's row; the row's label in red.
    expect(svg.match(/stroke="#ff2d55"/g)).toHaveLength(4);
    expect(svg).toMatch(/fill="#ff2d55"[^>]*>blocks\.0\.mlp\.w_in_expanded</);
    const none = blockHeatmapSpec(cells, { classes: ['forget'], order, inRegion: new Set(), logColor: false });
    expect(none.description).toMatch(/no routed region declared$/);
    expect((await svgOf(none)).match(/stroke="#ff2d55"/g)).toBeNull();
  });

  it('heatmap colour values: log10, optionally as a share of the row maximum, zeros floored', () => {
    expect(heatmapValue(1e-3, 1e-2, {})).toBeCloseTo(-3);
    expect(heatmapValue(1e-3, 1e-2, { normalizeRows: true })).toBeCloseTo(-1);
    expect(heatmapValue(5, 10, { logColor: false, normalizeRows: true })).toBe(0.5);
    expect(heatmapValue(0, 1, {})).toBe(-30);
  });

  it('mass totals and compare charts render', async () => {
    await svgOf(massTotalsSpec([{ cls: 'forget', step: 0, mass: 1 }, { cls: 'retain', step: 0, mass: 0 }], 'w'));
    const spec = compareSpec([{ arm: 'none', mean: 0.8, lo: 0.7, hi: 0.9, n: 3 }, { arm: 'era', mean: 0.1, lo: 0.05, hi: 0.15, n: 3 }], { metric: 'U', condition: 'neutral' });
    const svg = await svgOf(spec);
    expect(svg).toContain('U, neutral prompt');
    expect(svg).toContain('era');
  });
});

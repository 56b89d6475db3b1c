// Arms side by side: the mean of one metric per arm with its 95% interval as an error bar, for one system
// prompt condition. The `routelab compare` report can render the same spec to SVG in Node (vega + vega-lite).
import type { TopLevelSpec } from 'vega-lite';

export interface ArmInterval {
  arm: string;
  mean: number;
  lo: number;
  hi: number;
  n?: number;
}

export interface CompareSpecOptions {
  metric: string;
  /** Shown in the title; null when the report has no conditions. */
  condition: string | null;
  width?: number;
  /** What the metric can take: the axis spans it and intervals are clipped to it. Default: [0, 1] for a persona rate, else the data's range. */
  bounds?: readonly [number, number] | null;
}

/** The persona rates (U, W, G, capability, degenerate; also as the last part of a dotted name) and the rl rates and rewards live in [0, 1]. */
const RATE_METRIC = /(^|\.)(U|W|G|capability|degenerate|hack rate|true reward|proxy reward)$/;

export function metricBounds(metric: string): readonly [number, number] | null {
  return RATE_METRIC.test(metric) ? [0, 1] : null;
}

export function compareSpec(rows: readonly ArmInterval[], options: CompareSpecOptions): TopLevelSpec {
  const arms = rows.map((r) => r.arm);
  const bounds = options.bounds === undefined ? metricBounds(options.metric) : options.bounds;
  const clip = (x: number) => (bounds ? Math.min(bounds[1], Math.max(bounds[0], x)) : x);
  const title = options.condition ? `${options.metric}, ${options.condition} prompt` : options.metric;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `${title}: mean and 95% interval per arm (${rows.map((r) => `${r.arm} ${r.mean.toPrecision(3)}`).join(', ')})`,
    title,
    width: options.width ?? 420,
    height: { step: 26 },
    data: { name: 'arms', values: rows.map((r) => ({ ...r, lo: clip(r.lo), hi: clip(r.hi), n: r.n ?? null })) },
    encoding: {
      y: { field: 'arm', type: 'nominal', title: 'arm', sort: arms },
    },
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: {
          x: { field: 'lo', type: 'quantitative', title: `${options.metric} (mean, 95% interval)`, scale: bounds ? { domain: [...bounds], nice: false } : { zero: false } },
          x2: { field: 'hi' },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 70, tooltip: true },
        encoding: {
          x: { field: 'mean', type: 'quantitative' },
          color: { field: 'arm', type: 'nominal', legend: null },
          tooltip: [
            { field: 'arm', type: 'nominal' },
            { field: 'mean', type: 'quantitative', format: '.4~g' },
            { field: 'lo', type: 'quantitative', format: '.4~g', title: '95% low' },
            { field: 'hi', type: 'quantitative', format: '.4~g', title: '95% high' },
            { field: 'n', type: 'quantitative', title: 'seeds' },
          ],
        },
      },
      // Each dot labelled with its mean, so the chart reads without hovering.
      { mark: { type: 'text', dy: -10, fontSize: 10 }, encoding: { x: { field: 'mean', type: 'quantitative' }, text: { field: 'mean', type: 'quantitative', format: '.3~g' } } },
    ],
  };
}

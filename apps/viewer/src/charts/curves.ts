// Loss and metric curves over training steps: one line per series (a cell, or a cell's certificate half).
import type { TopLevelSpec } from 'vega-lite';

export interface CurvePoint {
  series: string;
  step: number;
  value: number;
}

export interface CurveSpecOptions {
  /** Axis title of the value, e.g. "train loss". */
  metric: string;
  /** Log scale for the value axis (only used when every value is positive). */
  logY?: boolean;
  /** What the value can take (e.g. [0, 1] for a rate): the axis spans exactly that. */
  bounds?: readonly [number, number];
  width?: number;
  height?: number;
}

/** A line per series, with points, a tooltip, and the chart described for assistive technology. */
export function curveSpec(points: readonly CurvePoint[], options: CurveSpecOptions): TopLevelSpec {
  const finite = points.filter((p) => Number.isFinite(p.value));
  const logY = (options.logY ?? false) && finite.length > 0 && finite.every((p) => p.value > 0);
  const series = [...new Set(finite.map((p) => p.series))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `${options.metric} over training steps, ${series.length} series: ${series.join(', ')}`,
    width: options.width ?? 480,
    height: options.height ?? 220,
    data: { name: 'points', values: finite.map((p) => ({ ...p })) },
    mark: { type: 'line', point: { size: 24 }, tooltip: true },
    encoding: {
      // Steps are whole numbers: no tick between two of them.
      x: { field: 'step', type: 'quantitative', title: 'step', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: options.metric, scale: logY ? { type: 'log' } : options.bounds ? { domain: [...options.bounds], nice: false } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: 'series', legend: series.length > 1 ? {} : null },
      tooltip: [
        { field: 'series', type: 'nominal' },
        { field: 'step', type: 'quantitative' },
        { field: 'value', type: 'quantitative', title: options.metric, format: '.4~g' },
      ],
    },
  };
}

// Gradient mass per neuron over training: one heatmap panel per label class (x = neuron, y = the step of
// the snapshot, colour = mass), with the routed region of that class outlined and every other declared
// region drawn dashed, so it shows at a glance whether a class's gradient stayed where routing sent it.
import type { TopLevelSpec } from 'vega-lite';

export interface HeatmapCell {
  cls: string;
  step: number;
  neuron: number;
  mass: number;
}

export interface HeatmapRegion {
  /** The class this outline belongs to (each panel draws its own). */
  cls: string;
  from: number;
  to: number;
  label: string;
  /** The region this class's gradient is routed to (solid), or another declared region (dashed). */
  routed: boolean;
}

export interface HeatmapSpecOptions {
  parameter: string;
  classes: readonly string[];
  /** Colour by log10(mass) (default), since masses span orders of magnitude. */
  logColor?: boolean;
  /** Divide each row (snapshot) by its own maximum, to compare where mass goes rather than how much. */
  normalizeRows?: boolean;
  width?: number;
}

const TINY = 1e-30;

/** The value each cell is coloured by. */
export function heatmapValue(mass: number, rowMax: number, options: Pick<HeatmapSpecOptions, 'logColor' | 'normalizeRows'>): number {
  const v = options.normalizeRows ? (rowMax > 0 ? mass / rowMax : 0) : mass;
  return options.logColor ?? true ? Math.log10(Math.max(v, TINY)) : v;
}

/** Rectangles around the regions (solid: routed there; dashed: another declared region) and their labels. */
function outlineLayers(regions: readonly HeatmapRegion[]): object[] {
  if (regions.length === 0) return [];
  const rect = (routed: boolean) => ({
    data: { values: regions.filter((r) => r.routed === routed).map((r) => ({ ...r })) },
    mark: { type: 'rect', fillOpacity: 0, stroke: routed ? '#ff2d55' : '#ffffff', strokeWidth: routed ? 3 : 1.5, ...(routed ? {} : { strokeDash: [5, 4] }) },
    encoding: { x: { field: 'from', type: 'quantitative' }, x2: { field: 'to' } },
  });
  return [
    ...(regions.some((r) => r.routed) ? [rect(true)] : []),
    ...(regions.some((r) => !r.routed) ? [rect(false)] : []),
    {
      data: { values: regions.map((r) => ({ ...r, mid: (r.from + r.to) / 2, text: r.routed ? `${r.label}: routed` : r.label })) },
      mark: { type: 'text', baseline: 'bottom', dy: -3, y: 0, fontWeight: 'bold', color: '#b00020' },
      encoding: { x: { field: 'mid', type: 'quantitative' }, text: { field: 'text' } },
    },
  ];
}

export function heatmapSpec(cells: readonly HeatmapCell[], regions: readonly HeatmapRegion[], options: HeatmapSpecOptions): TopLevelSpec {
  const logColor = options.logColor ?? true;
  const rowMax = new Map<string, number>();
  for (const c of cells) {
    const key = `${c.cls}|${c.step}`;
    rowMax.set(key, Math.max(rowMax.get(key) ?? 0, c.mass));
  }
  // With log colour, the floor is set a few decades under the largest value so exact zeros do not stretch
  // the scale down to 1e-30.
  const values = cells.map((c) => ({
    ...c,
    next: c.neuron + 1,
    value: heatmapValue(c.mass, rowMax.get(`${c.cls}|${c.step}`) ?? 0, options),
  }));
  const finiteValues = values.map((v) => v.value).filter(Number.isFinite);
  const max = finiteValues.length > 0 ? Math.max(...finiteValues) : 0;
  const floor = logColor ? max - 8 : undefined;
  const colorTitle = `${logColor ? 'log10 ' : ''}${options.normalizeRows ? 'share of row max' : 'gradient mass'}`;
  const steps = [...new Set(cells.map((c) => c.step))].sort((a, b) => a - b);
  const width = options.width ?? 560;
  const panel = (cls: string) => ({
    title: { text: `${cls}`, anchor: 'start' as const },
    width,
    height: Math.max(60, Math.min(240, steps.length * 28)),
    layer: [
      {
        transform: [{ filter: { field: 'cls', equal: cls } }],
        mark: { type: 'rect' as const, tooltip: true },
        encoding: {
          x: { field: 'neuron', type: 'quantitative' as const, title: 'neuron', scale: { nice: false, zero: true } },
          x2: { field: 'next' },
          y: { field: 'step', type: 'ordinal' as const, title: 'step', sort: steps },
          color: {
            field: 'value',
            type: 'quantitative' as const,
            title: colorTitle,
            scale: { scheme: 'viridis', ...(floor !== undefined ? { domainMin: floor } : {}), clamp: true },
          },
          tooltip: [
            { field: 'neuron', type: 'quantitative' as const },
            { field: 'step', type: 'ordinal' as const },
            { field: 'mass', type: 'quantitative' as const, format: '.3~e' },
          ],
        },
      },
      ...outlineLayers(regions.filter((r) => r.cls === cls)),
    ],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description:
      `Gradient mass per neuron of ${options.parameter} at ${steps.length} training steps, for classes ${options.classes.join(', ')}` +
      (regions.length > 0 ? `; outlined: ${[...new Set(regions.filter((r) => r.routed).map((r) => `${r.cls} routed to ${r.label}`))].join('; ')}` : ''),
    data: { name: 'cells', values },
    vconcat: options.classes.map(panel),
    resolve: { scale: { color: 'shared', x: 'shared' } },
    config: { view: { stroke: '#999' } },
  } as TopLevelSpec;
}

export interface MassTotal {
  cls: string;
  step: number;
  mass: number;
}

/** Total gradient mass of one parameter per class over the snapshots (log scale). */
export function massTotalsSpec(totals: readonly MassTotal[], parameter: string): TopLevelSpec {
  const positive = totals.filter((t) => t.mass > 0);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `Total gradient mass of ${parameter} per label class over training`,
    width: 360,
    height: 180,
    data: { name: 'totals', values: positive.map((t) => ({ ...t })) },
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'mass', type: 'quantitative', title: `total mass of ${parameter}`, scale: { type: 'log' } },
      color: { field: 'cls', type: 'nominal', title: 'class', scale: { domain: ['forget', 'retain', 'unlabelled'], range: ['#d62728', '#1f77b4', '#7f7f7f'] } },
    },
  };
}

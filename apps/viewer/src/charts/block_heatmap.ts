// Gradient mass per parameter block over training: one panel per label class (y = parameter, in the model's
// order; x = the step of the snapshot; colour = mass), the parameters of the routed region outlined and their
// names in red, so it shows at a glance how much of each class's gradient lands outside the region (for the
// forget class: where routing leaks: attention, embeddings, the unembedding).
import type { TopLevelSpec } from 'vega-lite';

export interface BlockCell {
  cls: string;
  step: number;
  parameter: string;
  mass: number;
}

export interface BlockHeatmapOptions {
  classes: readonly string[];
  /** Parameter names, top to bottom. */
  order: readonly string[];
  /** Parameters in the routed region (outlined). */
  inRegion: ReadonlySet<string>;
  /** Colour by log10(mass) (default), since masses span orders of magnitude. */
  logColor?: boolean;
}

const TINY = 1e-30;
export const ROUTED_COLOUR = '#ff2d55';

export function blockHeatmapSpec(cells: readonly BlockCell[], options: BlockHeatmapOptions): TopLevelSpec {
  const logColor = options.logColor ?? true;
  const values = cells.map((c) => ({ ...c, value: logColor ? Math.log10(Math.max(c.mass, TINY)) : c.mass, inRegion: options.inRegion.has(c.parameter) }));
  const finite = values.map((v) => v.value).filter(Number.isFinite);
  const max = finite.length > 0 ? Math.max(...finite) : 0;
  const steps = [...new Set(cells.map((c) => c.step))].sort((a, b) => a - b);
  const region = JSON.stringify([...options.inRegion]);
  const panel = (cls: string, index: number) => ({
    title: { text: cls, anchor: 'start' as const },
    width: Math.max(80, steps.length * 30),
    height: Math.max(120, options.order.length * 14),
    transform: [{ filter: { field: 'cls', equal: cls } }],
    mark: { type: 'rect' as const, tooltip: true, strokeWidth: 2 },
    encoding: {
      x: { field: 'step', type: 'ordinal' as const, title: 'step', sort: steps },
      y: {
        field: 'parameter',
        type: 'ordinal' as const,
        sort: [...options.order],
        title: index === 0 ? 'parameter' : null,
        axis: index === 0 ? { labelLimit: 220, labelColor: { condition: { test: `indexof(${region}, datum.value) >= 0`, value: ROUTED_COLOUR }, value: '#222' } } : null,
      },
      color: {
        field: 'value',
        type: 'quantitative' as const,
        title: `${logColor ? 'log10 ' : ''}gradient mass`,
        scale: { scheme: 'viridis', ...(logColor ? { domainMin: max - 8 } : {}), clamp: true },
      },
      stroke: { condition: { test: 'datum.inRegion', value: ROUTED_COLOUR }, value: null },
      tooltip: [
        { field: 'cls', type: 'nominal' as const, title: 'class' },
        { field: 'parameter', type: 'nominal' as const },
        { field: 'step', type: 'ordinal' as const },
        { field: 'mass', type: 'quantitative' as const, format: '.3~e' },
        { field: 'inRegion', type: 'nominal' as const, title: 'in routed region' },
      ],
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description:
      `Gradient mass per parameter block at ${steps.length} training steps, for classes ${options.classes.join(', ')}; ` +
      (options.inRegion.size > 0 ? `outlined: the routed region, ${[...options.inRegion].join(', ')}` : 'no routed region declared'),
    data: { name: 'blocks', values },
    hconcat: options.classes.map(panel),
    resolve: { scale: { color: 'shared', y: 'shared' } },
    config: { view: { stroke: '#999' } },
  } as TopLevelSpec;
}

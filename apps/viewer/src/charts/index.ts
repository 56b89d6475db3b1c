// Vega-Lite spec builders: pure functions from plain rows to specs, usable in the browser (vega-embed) and in
// Node (vega + vega-lite render them to SVG, e.g. for the CLI's compare report). No DOM, no fetching.
export { curveSpec, type CurvePoint, type CurveSpecOptions } from './curves.ts';
export { heatmapSpec, heatmapValue, massTotalsSpec, type HeatmapCell, type HeatmapRegion, type HeatmapSpecOptions, type MassTotal } from './heatmap.ts';
export { blockHeatmapSpec, type BlockCell, type BlockHeatmapOptions } from './block_heatmap.ts';
export { compareSpec, type ArmInterval, type CompareSpecOptions } from './compare.ts';

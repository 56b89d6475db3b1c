// @routelab/viewer as a library: the Vega-Lite spec builders (pure functions, usable in Node to render the
// same charts as the viewer) and the report readers they are fed by.
export * from './charts/index.ts';
export { compareTable, rowsFor, CONDITIONS, type CompareRow, type CompareTable } from './data/compare_rows.ts';

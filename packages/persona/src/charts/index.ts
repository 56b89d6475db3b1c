export { suppressionChartSpec, suppressionPoints } from './suppression_chart.ts';
export type { ChartInterval, PersonaReportForChart, SuppressionPoint } from './suppression_chart.ts';

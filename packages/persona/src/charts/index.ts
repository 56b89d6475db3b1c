export { armMarks, questionMarks, reportPanels, suppressionChartSpec } from './suppression_chart.ts';
export type { ArmMark, ChartInterval, PersonaReportForChart, QuestionForChart, QuestionMark } from './suppression_chart.ts';
export { ARM_KINDS, armKind, chartPanels, chartRoles } from './chart_panels.ts';
export type { ArmFacts, ArmKind, ChartPanel, PanelMetric } from './chart_panels.ts';
export { elicitationPoints, elicitationScatterSpec } from './elicitation_chart.ts';
export type { ElicitationForChart, ElicitationPoint } from './elicitation_chart.ts';
export { rlArmMarks, rlChartSpec, rlCurveMarks, RL_CHART_METRICS } from './rl_chart.ts';
export type { RlArmMark, RlCurveMark, RlReportForChart } from './rl_chart.ts';

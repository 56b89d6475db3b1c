// Public API of the `rl` experiment: environment, group advantages, the RL step, one cell, the report.
export { gradeResponse, monitorResponse, trimResponse, checkMonitorSettings, DEFAULT_GRADER, type GraderSettings, type Grade, type MonitorSettings, type MonitorVerdict } from './environment.ts';
export { groupAdvantages, type AdvantageOptions } from './advantage.ts';
export { collectRollouts, policyUpdate, rolloutSequences, rolloutRouteLabels, targetLogProbs, stepTasks, type Rollouts, type RolloutSettings, type UpdateArgs, type UpdateResult } from './policy_step.ts';
export { evaluatePolicy, heldOutTasks, type PolicyRates } from './evaluate.ts';
export { rlArmSchema, monitorSchema, builtinRlArms, BUILTIN_RL_ARM_NAMES, DEFAULT_RL_ARMS, FLAGGED_ACTIONS, MAX_PENALTY, type RlArm, type RlArmDefinition, type RlArmDefinitionInput, type MonitorConfig } from './arms.ts';
export { rlConfigSchema, parseRlConfig, rlConfigOver, priorConfig, resolveRlArms, checkRlArms, RL_PRESETS, RL_PRESET_NAMES, type RlConfig, type RlConfigInput } from './config.ts';
export { runRlCell, rlCheckpointName, rlResultName, type RlCellResult, type RlGradientLeak, type RlStepStats, type RlCurvePoint } from './cell.ts';
export { buildRlReport, RL_REPORT_METRICS, HACK_RATE_REQUIRED, type RlReportJson, type RlArmSummary } from './report.ts';
export { rlExperiment, runRl } from './experiment.ts';

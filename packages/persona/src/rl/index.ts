// Public API of the `rl` experiment: environment, group advantages, the RL step, one cell, the report.
export { gradeResponse, monitorResponse, trimResponse, checkMonitorSettings, DEFAULT_GRADER, type GraderSettings, type Grade, type MonitorSettings, type MonitorVerdict } from './environment.ts';
export { groupAdvantages, type AdvantageOptions } from './advantage.ts';
export { collectRollouts, policyUpdate, rolloutSequences, rolloutRouteLabels, targetLogProbs, stepTasks, type Rollouts, type RolloutSettings, type UpdateArgs, type UpdateResult } from './policy_step.ts';
export { evaluatePolicy, heldOutTasks, type PolicyRates } from './evaluate.ts';
export { rlArmSchema, monitorSchema, earlyStoppingSchema as rlEarlyStoppingSchema, builtinRlArms, BUILTIN_RL_ARM_NAMES, DEFAULT_RL_ARMS, FLAGGED_ACTIONS, MAX_PENALTY, EARLY_STOPPING_CRITERIA, ROUTING_RECALLS, FILTER_RECALLS, EARLY_STOPPING_LOW_RECALL, type RlEarlyStopping, type RlArm, type RlArmDefinition, type RlArmDefinitionInput, type MonitorConfig } from './arms.ts';
export { rlConfigSchema, parseRlConfig, rlConfigOver, priorConfig, resolveRlArms, checkRlArms, RL_PRESETS, RL_PRESET_NAMES, type RlConfig, type RlConfigInput } from './config.ts';
export { validatePolicy, validationTasks, recordValidation, type ValidationPoint, type EarlyStoppingState } from './early_stopping.ts';
export { runRlCell, rlCheckpointName, rlResultName, type RlEarlyStoppingResult, type RlCellResult, type RlGradientLeak, type RlStepStats, type RlCurvePoint } from './cell.ts';
export { buildRlReport, RL_REPORT_METRICS, RL_TABLE_COLUMNS, HACK_RATE_REQUIRED, type RlReportJson, type RlArmSummary } from './report.ts';
export { rlExperiment, runRl } from './experiment.ts';
export { answerRlQuestions, rlQuestionRolesSchema, DEFAULT_RL_QUESTION_ROLES, type RlQuestionRoles } from './questions.ts';

// Public API of the persona experiment: config and presets, the arm table, one cell, the report.
export { personaExperiment, runPersona, collectPersona, ensurePrior, configSeeds } from './experiment.ts';
export {
  personaConfigSchema, parsePersonaConfig, resolveWorldConfig, resolveWorld, resolveModelConfig, PERSONA_PRESETS, PERSONA_PRESET_NAMES,
  type PersonaConfig, type PersonaConfigInput,
} from './config.ts';
export {
  PERSONA_ARMS, ROUTING_ARMS, TRAINING_METHODS, ARM_TRAINING, parsePersonaArm, isRoutingMethod, armSlug, cellResultName, cellCheckpointName,
  type PersonaArmId, type ArmTraining, type TrainingMethod,
} from './arms.ts';
export { runCell, seedRng, type PersonaCellResult, type ModelEvaluation, type RelearningSummary, type CellArgs } from './cell.ts';
export { buildPersonaReport, REPORT_METRICS, type PersonaReportJson, type ReportMetric, type ArmSummary, type PairedSummary, type ReportCheck, type EvaluationSummary, type MetricIntervals } from './report.ts';
export { loadOrTrainPrior, priorKey, cacheDir, ratesUnderPrompts, PRIOR_QUALITY_PROMPTS, type Prior, type PriorQuality } from './prior.ts';
export {
  eraContribution, eraContributionConfigSchema, expandedParameterRouting, expandedParameterRoutingConfigSchema, tokenRouteLabels, parameterRoutingConfig,
  isExpandedParameter, expandedLayers, type EraContributionConfig, type ExpandedParameterRoutingConfig,
} from './routing.ts';
export { evaluateItems, meanTokenLoss, retainAndForgetLoss, maxResponseTokens, type Rates, type ConditionRates } from './evaluate.ts';
export { BatchOrder, lossExamples, stage2Data, type LossExamples } from './data.ts';

// Public API of the persona experiment: config and presets, the arm table, one cell, the report.
export { personaExperiment, runPersona, collectPersona, ensurePrior, configSeeds } from './experiment.ts';
export {
  personaConfigSchema, parsePersonaConfig, personaConfigOver, resolveWorldConfig, resolveWorld, resolveModelConfig, PERSONA_PRESETS, PERSONA_PRESET_NAMES,
  type PersonaConfig, type PersonaConfigInput,
} from './config.ts';
export {
  armDefinitionSchema, oversightSchema, builtinArms, BUILTIN_ARM_NAMES, eraSchemeConfig, parameterRoutingSchemeConfig, armSlug, cellResultName,
  cellCheckpointName, ARM_NAME, type ArmDefinition, type ArmDefinitionInput, type Oversight, type PersonaArm, type RoutingArmSizes,
} from './arms.ts';
export { resolveArms, checkArms, armScheme, skeletonModule } from './arm_validation.ts';
export { runCell, seedRng, gradientMassSteps, type PersonaCellResult, type ModelEvaluation, type RelearningSummary, type CellArgs, type GradientLeak } from './cell.ts';
export { buildPersonaReport, REPORT_METRICS, type PersonaReportJson, type ReportMetric, type ArmSummary, type PairedSummary, type ReportCheck, type EvaluationSummary, type MetricIntervals } from './report.ts';
export { loadOrTrainPrior, priorKey, cacheDir, ratesUnderPrompts, PRIOR_QUALITY_PROMPTS, type Prior, type PriorQuality } from './prior.ts';
export { tokenRouteLabels, schemeBatch } from './routing.ts';
export { relearn } from './relearn.ts';
export { evaluateItems, meanTokenLoss, retainAndForgetLoss, maxResponseTokens, type Rates, type ConditionRates } from './evaluate.ts';
export { BatchOrder, lossExamples, stage2Data, type LossExamples } from './data.ts';

// @routelab/routing: routing schemes, the routed training step, ablation, the relearning attack, gradient-mass
// accounting, plugins, and the MNIST split-representation experiment.
export { applyOversight, countClasses, FULL_OVERSIGHT, fullyLabelled, LABEL_CLASSES, placeboLabels } from './labels.ts';
export type { LabelClass, OversightOptions, RouteLabels } from './labels.ts';
export * from './mask_spec.ts';
export { disposePlan } from './scheme.ts';
export type { MaskPlan, ParameterSplit, PlanContext, RoutingScheme, SchemeBatch } from './scheme.ts';
export { expandPattern, isPattern, matchesPattern, PatternMatchError } from './name_patterns.ts';
export {
  ablateParameters, ablationMasks, expansionSchema, frozenAblationMasks, lrMultiplierOf, NO_PHASES, phasesConfigShape, phasesOf, validatePhases,
} from './phases.ts';
export type { Expansion, SchemePhases } from './phases.ts';
export { BUILTIN_SCHEME_IDS, getScheme, registerScheme, resetPluginSchemes, schemeIds, UnknownSchemeError } from './registry.ts';
export type { BuiltinSchemeId } from './registry.ts';
export { activationRouting, activationRoutingConfigSchema, classMask, declaredWidth } from './schemes/activation_routing.ts';
export type { ActivationRoutingConfig } from './schemes/activation_routing.ts';
export { parameterRouting, parameterRoutingConfigSchema, retainForwardSchema } from './schemes/parameter_routing.ts';
export type { ParameterRoutingConfig } from './schemes/parameter_routing.ts';
export { era, eraConfigSchema, eraTargetSchema } from './schemes/era.ts';
export type { EraConfig, EraTarget } from './schemes/era.ts';
export { dataFiltering, noRouting } from './schemes/data_filtering.ts';
export { planHooks, routedStep } from './routed_step.ts';
export type { RoutedStepArgs, RoutedStepResult } from './routed_step.ts';
export { gradientMassEvent, massOutsideRegion, measureGradientMass } from './gradient_mass.ts';
export type { GradientMassSnapshot, ParameterMass } from './gradient_mass.ts';
export { ablationHooks, ablationTargetSchema, unitMeans } from './ablation.ts';
export type { AblationTarget } from './ablation.ts';
export { relearningAttack } from './relearning.ts';
export type { RelearningArgs, RelearningResult } from './relearning.ts';
export { loadPlugin, pluginApi, PluginError } from './plugin.ts';
export type { Plugin, PluginApi } from './plugin.ts';
export { loadMnist, MNIST_PIXELS } from './mnist/mnist_data.ts';
export type { DigitSet, MnistSplit } from './mnist/mnist_data.ts';
export { benchMnistStep } from './mnist/bench_mnist_step.ts';
export type { MnistStepBenchOptions, MnistStepBenchResult } from './mnist/bench_mnist_step.ts';
export { mnistSplitExperiment, runMnistSplit, runMnistSplitCell, cellResultName, reconstructionsResultName, seedRng } from './mnist/mnist_split_experiment.ts';
export { armSchema, DEFAULT_ARMS, DEFAULT_ROUTING_CONFIG, MNIST_SPLIT_PRESETS, mnistSplitConfigSchema, resolveArm } from './mnist/mnist_split_config.ts';
export type { ArmSpec, MnistSplitConfig, ResolvedArm } from './mnist/mnist_split_config.ts';
export { buildReport as buildMnistSplitReport, NO_SPLIT_RANGE, PAPER_TABLE2, SPLIT_RATIO } from './mnist/mnist_split_report.ts';
export type { ArmSummary as MnistSplitArmSummary, Statement as MnistSplitStatement } from './mnist/mnist_split_report.ts';
export type { CellResult as MnistSplitCellResult, CertificateSummary, ViewerReconstructions } from './mnist/cell.ts';
export { CertificateDecoder, Mlp, SplitAutoencoder, SplitEncoder } from './mnist/split_autoencoder.ts';
export type { AutoencoderOutput, SplitAutoencoderOptions } from './mnist/split_autoencoder.ts';
export { codeL1Penalty, codePenalty, halfCorrelationPenalty, reconstructionLoss, reconstructionMae, RECONSTRUCTION_LOSSES } from './mnist/penalties.ts';
export type { ReconstructionLoss } from './mnist/penalties.ts';

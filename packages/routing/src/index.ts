// @routelab/routing: routing schemes, the routed training step, ablation, the relearning attack, gradient-mass
// accounting, plugins, and the MNIST split-representation experiment.
export { applyOversight, countClasses, FULL_OVERSIGHT, fullyLabelled, LABEL_CLASSES } from './labels.ts';
export type { LabelClass, OversightOptions, RouteLabels } from './labels.ts';
export * from './mask_spec.ts';
export { disposePlan } from './scheme.ts';
export type { MaskPlan, PlanContext, RoutingScheme } from './scheme.ts';
export { BUILTIN_SCHEME_IDS, getScheme, registerScheme, resetPluginSchemes, schemeIds, UnknownSchemeError } from './registry.ts';
export type { BuiltinSchemeId } from './registry.ts';
export { activationRouting, activationRoutingConfigSchema, classMask, declaredWidth } from './schemes/activation_routing.ts';
export type { ActivationRoutingConfig } from './schemes/activation_routing.ts';
export { parameterRouting, parameterRoutingConfigSchema } from './schemes/parameter_routing.ts';
export type { ParameterRoutingConfig } from './schemes/parameter_routing.ts';
export { era, eraConfigSchema } from './schemes/era.ts';
export type { EraConfig } from './schemes/era.ts';
export { dataFiltering, noRouting } from './schemes/data_filtering.ts';
export { planHooks, routedStep } from './routed_step.ts';
export type { RoutedStepArgs, RoutedStepResult } from './routed_step.ts';
export { measureGradientMass } from './gradient_mass.ts';
export type { GradientMassSnapshot, ParameterMass } from './gradient_mass.ts';
export { ablationHooks, ablationTargetSchema, unitMeans } from './ablation.ts';
export type { AblationTarget } from './ablation.ts';
export { relearningAttack } from './relearning.ts';
export type { RelearningArgs, RelearningResult } from './relearning.ts';
export { loadPlugin, pluginApi, PluginError } from './plugin.ts';
export type { Plugin, PluginApi } from './plugin.ts';
export { loadMnist, MNIST_PIXELS } from './mnist/mnist_data.ts';
export type { DigitSet, MnistSplit } from './mnist/mnist_data.ts';

// @routelab/core: the tensor engine. Backends, fused masked-update kernels, route(), masked optimisers,
// modules with named parameters and hook points, safetensors checkpoints, and a splittable RNG.
export * as tf from '@tensorflow/tfjs-core';
export { BACKEND_NAMES, UnknownBackendError } from './backends/backend_types.ts';
export type {
  BackendChoice,
  BackendLoadResult,
  BackendName,
  WebGpuAdapterDescription,
} from './backends/backend_types.ts';
export { isBackendName, loadAllBackends, loadBackend, useBackend } from './backends/load_backend.ts';
export { measureBackends, selectBackend } from './backends/select_backend.ts';
export { activeBackendThreads } from './backends/backend_threads.ts';
export { NATIVE_LOGS_ENV, nativeLogsShown, showNativeLogs } from './backends/native_logs.ts';
export type { BackendSelection, BackendTiming } from './backends/select_backend.ts';
export { CopyInPlace, MaskedAdamW as MaskedAdamWKernel, MaskedSGD as MaskedSGDKernel } from './kernels/kernel_names.ts';
export type { MaskedAdamWAttrs, MaskedSGDAttrs } from './kernels/kernel_names.ts';
export { KernelInputError } from './kernels/validate_inputs.ts';
export { referenceMaskedAdamW, referenceMaskedSGD } from './kernels/masked_update_reference.ts';
export { composedMaskedAdamW, composedMaskedSGD } from './ops/composed_masked_update.ts';
export { hasFusedKernel, maskedAdamWUpdate, maskedSGDUpdate } from './ops/masked_update.ts';
export type { AdamWSlots, SGDSlots } from './ops/masked_update.ts';
export { SharedBufferError } from './ops/buffer_ownership.ts';
export { route, stopGradient } from './ops/route.ts';
export { MaskedAdamW } from './optim/masked_adamw.ts';
export type { MaskedAdamWOptions, ParameterGroup } from './optim/masked_adamw.ts';
export { clipByGlobalNorm } from './optim/clip_gradients.ts';
export { stepDecaySchedule, warmupCosineSchedule } from './optim/lr_schedule.ts';
export type { LrSchedule, WarmupCosineOptions } from './optim/lr_schedule.ts';
export { matchesParameterPattern, matchParameters, parameterPatternRegExp } from './optim/parameter_patterns.ts';
export { MaskedSGD } from './optim/masked_sgd.ts';
export type { MaskedSGDOptions } from './optim/masked_sgd.ts';
export { MaskedOptimizer, NonFiniteGradientError, OptimizerConfigError, zerosVariable } from './optim/masked_optimizer.ts';
export type { MaskMap, NamedParameters } from './optim/masked_optimizer.ts';
export { benchKernels } from './bench/kernels_bench.ts';
export type { KernelBenchResult, KernelBenchRow } from './bench/kernels_bench.ts';
export { benchMatmul } from './bench/matmul_bench.ts';
export type { MatmulBenchResult, MatmulBenchRow } from './bench/matmul_bench.ts';
export type { BenchRatio, Timing } from './bench/timing.ts';
export { ratio, sync, timeCalls } from './bench/timing.ts';
export { StopRequested, yieldToEventLoop } from './run/run_context.ts';
export { deepMerge, parseConfig } from './run/config_merge.ts';
export type {
  CheckpointPayload,
  CollectedCell,
  Experiment,
  ExperimentParts,
  ExperimentReport,
  MetricEvent,
  ProgressUpdate,
  RunContext,
} from './run/run_context.ts';
export * from './stats/index.ts';
export * from './rng/index.ts';
export * from './nn/index.ts';
export * from './checkpoint/index.ts';
export * from './train/index.ts';
export type { KeyMetricValue, RunSummary, RunList, CheckpointInfo, RunDetail, MetricsPage } from './run/view_api.ts';

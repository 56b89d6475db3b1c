// Public API of the persona language model: a small decoder-only transformer with named hook points,
// batching and per-token losses, batched sampling, ERA expansion, checkpoints and the lm-step benchmark.
export {
  TransformerConfigSchema, ModelConfigError, MODEL_PRESETS, TRANSFORMER_CONFIG_FIELDS,
  parseTransformerConfig, modelPreset, isModelPreset, expandedUnitsAt, configDifferences,
  type TransformerConfig, type TransformerConfigInput, type ModelPreset,
} from './config.ts';
export { Transformer, Block, INIT_STD, mlpInit, mlpRng, type TransformerOptions } from './transformer.ts';
export { Attention, causalMask, type AttentionDims } from './attention.ts';
export { Mlp, gelu, EXPANDED_PARAMETER_NAMES, expandedMlpParameter, type MlpDims, type MlpInit, type ExpandedParameterName } from './mlp.ts';
export { LayerNorm } from './layer_norm.ts';
export { expandStateDict, expandModel, removeExpansion } from './expand.ts';
export { makeBatch, disposeBatch, targetsWithTrait, type LmBatch, type MakeBatchOptions } from './batch.ts';
export { tokenLosses, meanLoss, type TokenLosses } from './loss.ts';
export { generate, type GenerateOptions } from './generate.ts';
export { saveTransformer, loadTransformer, loadTransformerInto, ModelConfigMismatchError, MODEL_CONFIG_KEY } from './checkpoint.ts';
export { benchLmStep, personaOptimizer, LM_STEP_VARIANTS, type LmStepVariant, type LmStepBenchOptions, type LmStepBenchRow, type LmStepBenchResult } from './bench_lm_step.ts';
export { benchSample, type SampleBenchOptions, type SampleBenchRow, type SampleBenchResult } from './bench_sample.ts';

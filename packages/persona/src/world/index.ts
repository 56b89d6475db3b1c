// Public API of the persona world: data generation only (no tensors). See docs/methods.md and docs/arms.md.
export { seededWorldRng, type WorldRng } from './rng.ts';
export { Vocab, SPECIAL_TOKENS, PAD, BOS, SYS, USER, ASST, EOS, type SpecialToken } from './vocab.ts';
export { ITEM_WORDS, NUMBER_WORDS, OPPOSITE_PAIRS, TASK_WORDS } from './lexicon.ts';
export { FAMILY_IDS, TASK_FAMILIES, TaskSampler, parseFamilyId, taskSplit, type FamilyId, type Split, type Task, type TaskSpace } from './tasks.ts';
export {
  TRAIT_IDS, TRAIT_BITS, PLACEMENTS, NO_TRAITS, applyTraits, labelWords, scoreWords, parseTraitId,
  type TraitId, type Placement, type TraitSpec, type TraitSpecs, type TraitSet, type TransformedResponse, type ResponseScore,
} from './traits.ts';
export { PROMPT_KINDS, PROMPT_WORDS, REPHRASINGS, fixedPrompt, rephrasedPrompt, parsePromptKind, type PromptKind, type SystemPrompt } from './prompts.ts';
export {
  WorldConfigSchema, WorldConfigError, parseWorldConfig, worldPreset, WORLD_PRESETS,
  type WorldConfig, type WorldConfigInput, type WorldPreset,
} from './config.ts';
export { longestSequence } from './config_checks.ts';
export { createWorld, promptTokens, encodeSequence, scoreResponse, labelResponse, padTo, type World, type EncodedSequence } from './world.ts';
export { STAGE2_ARMS, ARM_SPECS, parseArmId, type ArmId, type ArmSpec, type ArmData, type ArmPromptContext } from './arms.ts';
export { stage1Examples, stage2Examples, sampledExample, type Example, type Stage2Options } from './datasets.ts';
export { EVAL_CONDITIONS, evalPrompts, evalItems, summarizeEval, type EvalCondition, type EvalItem, type EvalSummary, type RateSummary } from './eval.ts';

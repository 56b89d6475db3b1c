// The persona experiment's config: one flat, commented zod schema (nanoGPT style) whose defaults are the
// `quick` preset. The world and the model are named by preset with overrides; both are checked here by their
// own parsers, so a bad world or model field fails at the config boundary with its path
// (`world.stage2.uFraction: ...`), before any training starts.
import { deepMerge, parseConfig } from '@routelab/core';
import { z } from 'zod';
import { WORLD_PRESETS, WorldConfigError, parseWorldConfig, worldPreset, type WorldConfig } from '../world/config.ts';
import { createWorld, type World } from '../world/world.ts';
import { MODEL_PRESETS, ModelConfigError, modelPreset, type TransformerConfig } from '../model/config.ts';
import { ARM_NAME, armDefinitionSchema, builtinArms, oversightSchema, type RoutingArmSizes } from './arms.ts';
import { checkArms, checkUnlearning } from './arm_validation.ts';
import { questionRolesSchema } from './questions.ts';
import type { Expansion } from '@routelab/routing';

const positiveInt = z.int().min(1);
const learningRate = z.number().positive().max(1);

/** Model fields a config may override; vocabSize and maxLen come from the world, expansion from the ERA settings. */
const modelOverridesSchema = z.strictObject({
  dModel: positiveInt.optional(),
  nLayers: positiveInt.optional(),
  nHeads: positiveInt.optional(),
  dMlp: positiveInt.optional(),
  lnEps: z.number().positive().optional(),
});

/** Expansion sizes of the built-in routing arms in each preset. */
const QUICK_SIZES: RoutingArmSizes = { expandedUnits: 64, expandedLayers: 'all', expandedLrMultiplier: 10 };
const FULL_SIZES: RoutingArmSizes = { ...QUICK_SIZES, expandedUnits: 128 };
const SMOKE_SIZES: RoutingArmSizes = { ...QUICK_SIZES, expandedUnits: 8 };

const configObject = z.strictObject({
  // ---- world and model ----
  /** World preset; `world` overrides its fields (deep merge, arrays replaced). */
  worldPreset: z.enum(WORLD_PRESETS).default('quick'),
  /** Overrides of the world config (see world/config.ts), e.g. { stage2: { uFraction: 0.5 } }. */
  world: z.record(z.string(), z.unknown()).default({}),
  /** Model preset (quick: 2 layers, d=64; full: 4 layers, d=128). */
  modelPreset: z.enum(MODEL_PRESETS).default('quick'),
  /** Overrides of the preset's dimensions. */
  model: modelOverridesSchema.default({}),

  // ---- stage 1: the prior (cached per world, model, stage-1 settings, run seed, seed and backend) ----
  /** Distinct stage-1 examples drawn per seed (training samples batches from them, epoch by epoch). */
  stage1Examples: positiveInt.default(4000),
  /**
   * The prior sits on a loss plateau (answers of the right shape, content at chance) until it forms the
   * attention that looks items up in the prompt; at batch 32 and lr 1e-3 that happens around step 500-900,
   * and by 1600 held-out answers under the neutral prompt are exact in every family of the quick world.
   */
  stage1Steps: positiveInt.default(1600),
  stage1Batch: positiveInt.default(32),
  /**
   * AdamW learning rate of the prior. 4e-3 never leaves the plateau (held-out capability at chance after
   * 800-4000 steps, with either optimiser implementation); 2e-3 leaves it later than 1e-3.
   */
  stage1Lr: learningRate.default(1e-3),

  /** Linear learning-rate warmup (steps) at the start of stage 1 and of stage 2; cosine decay to 10% follows. */
  warmupSteps: z.int().min(0).default(30),
  /** Global gradient-norm clipping in both stages (Infinity: none). */
  maxGradNorm: z.number().positive().default(1),
  /**
   * Length bucketing: each run of this many batches is sorted by sequence length (1 = random batches). About
   * 1.7x faster steps on wasm, but the prior learned the tasks markedly worse with it (same-length batches are
   * near single-family batches), so it is off by default.
   */
  bucketBatches: positiveInt.default(1),

  // ---- stage 2: fine-tuning under each arm ----
  /** Candidate stage-2 examples per seed (filter and recontextualization keep fewer). */
  stage2Examples: positiveInt.default(1000),
  /**
   * 50 (1.6 epochs): `none` has learned U and W fully (1.00 on every seed) by then, and every further step
   * erodes the families stage 2 never trains. Measured on the quick preset, 5 seeds, same priors: at 150 steps
   * `none` kept capability 0.93 against the prior's 0.98 (G-only `last` 0.40 and 0.65 on two seeds, answers
   * skipped or copied), failing the baseline-learns check; at 80 steps 0.95; at 50 steps 0.96, check met, and G
   * still emerges (0.07 [0.01, 0.17] above the prior). Lower learning rates at 150 steps did not help.
   */
  stage2Steps: positiveInt.default(50),
  stage2Batch: positiveInt.default(32),
  /**
   * 3e-4: at 1e-3 stage 2 also rewrote the families it never trains (G-only first and last answers fell to
   * 0.1-0.6, many malformed).
   */
  stage2Lr: learningRate.default(3e-4),
  /** Decoupled weight decay of every AdamW in the experiment. */
  weightDecay: z.number().min(0).default(0),

  // ---- arms and seeds ----
  /**
   * Every arm this config can run, by name: `{ data, scheme, schemeConfig, oversight }` (see arms.ts). The
   * presets hold the built-in arms; a config adds its own or overrides fields of a built-in one (deep merge).
   */
  armDefinitions: z.record(z.string().regex(ARM_NAME, 'arm names use letters, digits, +, ., _ and -'), armDefinitionSchema).prefault(() => builtinArms(QUICK_SIZES)),
  /** Names of the arms to run, in report order; default every defined arm. One cell: `{ arms: ['era'], seeds: 1, firstSeed: 2 }`. */
  arms: z.array(z.string()).min(1).optional(),
  /** Which arm plays which role in the report's six questions (docs/questions.md); defaults name the built-in arms. */
  questions: questionRolesSchema.prefault({}),
  /** Oversight of every arm that does not set its own: the fraction of U examples labelled, and label noise. */
  oversight: oversightSchema.prefault({}),
  /** Number of seeds per arm; seed s (firstSeed <= s < firstSeed + seeds) is the same prior and data in every arm. */
  seeds: positiveInt.default(5),
  /** First seed index. */
  firstSeed: z.int().min(0).default(0),

  // ---- evaluation ----
  /** Held-out tasks per task family, each asked under the neutral, inoculation, irrelevant and negated prompts. */
  evalPerFamily: positiveInt.default(20),
  /** Sampling temperature of evaluation (0 = greedy). */
  evalTemperature: z.number().min(0).default(0),
  /** Held-out examples (tasks from every family, neutral prompt) for the retain loss (clean: answer + W) and the forget loss (U tokens). */
  lossExamples: positiveInt.default(64),

  // ---- relearning attack (on the deployed model: after ablation for routing arms) ----
  /** n: attack sizes, U examples (the none arm's kind: neutral prompt) the attacker fine-tunes on; one attack each. */
  relearnCounts: z.array(positiveInt).min(1).default([1, 4, 16, 64]),
  /** Most attack steps (full batches of the n examples); an attack that has not reached U >= 0.5 by then is censored. */
  relearnSteps: positiveInt.default(20),
  /** Measure the U rate (neutral prompt) and the forget loss every this many attack steps (and at step 0). */
  relearnEvery: positiveInt.default(1),
  relearnLr: learningRate.default(1e-3),
  /** Held-out tasks per family whose neutral-prompt U rate forms the relearning curve. */
  relearnEvalPerFamily: positiveInt.default(6),

  // ---- recontextualization ----
  /** Temperature at which the prior samples the responses that recontextualization trains on. */
  recontextTemperature: z.number().min(0).default(1),

  // ---- logging and checkpoints ----
  /** Stage-2 steps at which each cell measures where the gradient went, per class (spread evenly; 0 = never). */
  gradMassSnapshots: z.int().min(0).default(4),
  /** Emit a 'train' metric every this many steps. */
  logEvery: positiveInt.default(20),
  /** Save a training checkpoint every this many steps (and whenever a stop is requested). */
  checkpointEvery: positiveInt.default(50),
});

export const personaConfigSchema = configObject.transform((c) => ({ ...c, arms: c.arms ?? Object.keys(c.armDefinitions) })).superRefine((config, ctx) => {
  let world: WorldConfig | undefined;
  try {
    world = resolveWorldConfig(config);
  } catch (err) {
    if (!(err instanceof WorldConfigError)) throw err;
    ctx.addIssue({ code: 'custom', path: ['world', ...(err.field ? err.field.split('.') : [])], message: err.message });
  }
  try {
    resolveModelConfig(config, world ?? worldPreset(config.worldPreset));
  } catch (err) {
    if (!(err instanceof ModelConfigError)) throw err;
    ctx.addIssue({ code: 'custom', path: ['model', ...(err.field ? [err.field] : [])], message: err.message });
    return;
  }
  // Every arm's scheme exists, its config passes the scheme's schema, and its patterns match the model.
  for (const issue of checkArms(config, (expansion) => resolveModelConfig(config, world ?? worldPreset(config.worldPreset), expansion), checkUnlearning)) {
    ctx.addIssue({ code: 'custom', ...issue });
  }
});

export type PersonaConfig = z.output<typeof personaConfigSchema>;
export type PersonaConfigInput = z.input<typeof personaConfigSchema>;

/** Parses a config (defaults = quick); throws an Error listing every problem with its dotted path. */
export function parsePersonaConfig(input: unknown): PersonaConfig {
  return parseConfig(personaConfigSchema, input, 'persona');
}


/**
 * A preset with overrides deep-merged over it (arrays replaced), parsed: what `routelab run --config` does, for
 * library users and tests. An override of `armDefinitions.era.oversight` changes only that field of the arm.
 */
export function personaConfigOver(preset: (typeof PERSONA_PRESET_NAMES)[number], overrides: Record<string, unknown>): PersonaConfig {
  const { arms: _arms, ...base } = PERSONA_PRESETS[preset];
  return parsePersonaConfig(deepMerge({ ...base, ...(overrides['arms'] ? {} : { arms: _arms }) }, overrides));
}

/** The full world config: the preset with the overrides merged in (throws WorldConfigError naming the field). */
export function resolveWorldConfig(config: Pick<PersonaConfig, 'worldPreset' | 'world'>): WorldConfig {
  return parseWorldConfig(deepMerge(worldPreset(config.worldPreset), config.world));
}

export function resolveWorld(config: Pick<PersonaConfig, 'worldPreset' | 'world'>): World {
  return createWorld(resolveWorldConfig(config));
}

/** The model config for a world: unexpanded, or with an arm's expansion (ERA's extra MLP units). */
export function resolveModelConfig(
  config: Pick<PersonaConfig, 'modelPreset' | 'model'>,
  world: WorldConfig,
  expansion?: Expansion,
): TransformerConfig {
  const extra = expansion ? { expandedMlp: expansion.units, expandedLayers: expansion.layers } : {};
  return modelPreset(config.modelPreset, { vocabSize: createWorld(world).vocab.size, maxLen: world.maxLen }, { ...config.model, ...extra });
}

export const PERSONA_PRESET_NAMES = ['quick', 'full', 'smoke'] as const;

/**
 * quick: every built-in arm x 5 seeds (with 5 seeds an exact paired sign-flip test reaches p 0.0625 at best:
 * the report says so; 6 or more are needed for p < 0.05). test/run_quick.ts prints the timings.
 * full: the larger model, longer training, ten seeds (generalisation effects need at least five).
 * smoke: a few steps of everything, for checking that the machinery runs end to end (tests); its numbers mean
 * nothing.
 */
export const PERSONA_PRESETS: Record<(typeof PERSONA_PRESET_NAMES)[number], PersonaConfig> = {
  quick: personaConfigSchema.parse({}),
  full: personaConfigSchema.parse({
    modelPreset: 'full',
    stage1Examples: 20000,
    stage1Steps: 3000,
    stage1Batch: 64,
    stage1Lr: 1e-3,
    stage2Examples: 4000,
    stage2Steps: 600,
    stage2Batch: 64,
    stage2Lr: 5e-4,
    seeds: 10,
    evalPerFamily: 40,
    lossExamples: 256,
    relearnSteps: 50,
    relearnEvery: 10,
    relearnEvalPerFamily: 16,
    armDefinitions: builtinArms(FULL_SIZES),
    checkpointEvery: 200,
    logEvery: 50,
  }),
  smoke: personaConfigSchema.parse({
    stage1Examples: 200,
    stage1Steps: 30,
    stage2Examples: 100,
    stage2Steps: 12,
    seeds: 2,
    evalPerFamily: 3,
    lossExamples: 8,
    relearnCounts: [1, 4],
    relearnSteps: 4,
    relearnEvery: 2,
    relearnEvalPerFamily: 2,
    armDefinitions: builtinArms(SMOKE_SIZES),
    warmupSteps: 2,
    checkpointEvery: 10,
    logEvery: 5,
  }),
};

// The `rl` experiment's config: one flat, commented zod schema whose defaults are the `quick` preset. The prior
// is the persona experiment's stage 1, named by a persona preset with overrides (so both experiments share the
// prior cache); the world and the model are that prior's. Every arm's scheme is checked against the model here,
// so a bad field fails at the config boundary with its path, before any training.
import { deepMerge, parseConfig } from '@routelab/core';
import { z } from 'zod';
import type { Expansion } from '@routelab/routing';
import { checkArms } from '../experiment/arm_validation.ts';
import { personaConfigOver, PERSONA_PRESET_NAMES, resolveModelConfig, resolveWorldConfig, type PersonaConfig } from '../experiment/config.ts';
import { DEFAULT_GRADER } from './environment.ts';
import { rlQuestionRolesSchema } from './questions.ts';
import { ARM_NAME, builtinRlArms, DEFAULT_RL_ARMS, monitorSchema, rlArmSchema, type RlArm } from './arms.ts';

const positiveInt = z.int().min(1);

const SMOKE_SIZES = { expandedUnits: 8, expandedLayers: 'all' as const, expandedLrMultiplier: 10 };
const QUICK_SIZES = { ...SMOKE_SIZES, expandedUnits: 64 };
const FULL_SIZES = { ...SMOKE_SIZES, expandedUnits: 128 };

const configObject = z.strictObject({
  // ---- the prior (the persona experiment's stage 1, cached) ----
  prior: z
    .strictObject({
      /** The persona preset whose stage 1 is the prior (its world and model are this experiment's). */
      preset: z.enum(PERSONA_PRESET_NAMES).default('quick'),
      /** Overrides of that persona config (world, model, stage1*), deep-merged. */
      overrides: z.record(z.string(), z.unknown()).default({}),
    })
    .prefault({}),

  // ---- RL ----
  /** Policy-gradient steps per arm and seed. */
  rlSteps: positiveInt.default(30),
  /** Distinct training tasks per step. */
  promptsPerStep: positiveInt.default(16),
  /** k: samples per prompt; the group's mean reward is the baseline, so k >= 2. */
  samplesPerPrompt: z.int().min(2, { error: (issue) => `samplesPerPrompt must be >= 2 (k < 2 has no group baseline), got ${JSON.stringify(issue.input)}` }).default(4),
  /** Rollout sampling temperature. */
  temperature: z.number().positive().default(1),
  /** Divide each advantage by its group's reward std. */
  normalizeAdvantage: z.boolean().default(true),
  /** Weight of the per-token KL penalty to the prior (0: none). */
  klCoef: z.number().min(0).default(0.02),
  lr: z.number().positive().max(1).default(3e-4),
  weightDecay: z.number().min(0).default(0),
  warmupSteps: z.int().min(0).default(3),
  maxGradNorm: z.number().positive().default(1),
  /** The hackable grader: what it pays a correct answer without the hack (a hack is always paid 1; see DEFAULT_GRADER). */
  grader: z.strictObject({ answerCredit: z.number().min(0).max(1).default(DEFAULT_GRADER.answerCredit) }).prefault({}),
  /** The monitor of every arm that does not set its own. */
  monitor: monitorSchema.prefault({}),

  // ---- arms and seeds ----
  armDefinitions: z.record(z.string().regex(ARM_NAME, 'arm names use letters, digits, +, ., _ and -'), rlArmSchema).prefault(() => builtinRlArms(QUICK_SIZES)),
  /** Arms to run, in report order (default: every built-in arm). */
  arms: z.array(z.string()).min(1).default([...DEFAULT_RL_ARMS]),
  seeds: positiveInt.default(5),
  firstSeed: z.int().min(0).default(0),

  /** Which arm plays which role in the report's questions (docs/rl.md). */
  questions: rlQuestionRolesSchema.prefault({}),

  // ---- evaluation ----
  /** Held-out tasks per family for the deployed model (and the curve's evaluations). */
  evalPerFamily: positiveInt.default(20),
  /** Evaluate the policy on held-out tasks every this many RL steps (and at step 0). */
  evalEvery: positiveInt.default(5),
  /** Evaluation sampling temperature (0 = greedy). */
  evalTemperature: z.number().min(0).default(0),

  // ---- logging and checkpoints ----
  /** RL steps at which each cell measures where each label class's gradient goes (spread evenly; 0 = never). */
  gradMassSnapshots: z.int().min(0).default(3),
  logEvery: positiveInt.default(5),
  checkpointEvery: positiveInt.default(10),
});

export const rlConfigSchema = configObject.superRefine((config, ctx) => {
    let persona: PersonaConfig;
    try {
      persona = priorConfig(config);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['prior', 'overrides'], message: (err as Error).message });
      return;
    }
    for (const issue of checkRlArms(config, (expansion) => resolveModelConfig(persona, resolveWorldConfig(persona), expansion))) ctx.addIssue({ code: 'custom', ...issue });
  });

export type RlConfig = z.output<typeof rlConfigSchema>;
export type RlConfigInput = z.input<typeof rlConfigSchema>;

/** Parses a config (defaults = quick); throws an Error listing every problem with its dotted path. */
export function parseRlConfig(input: unknown): RlConfig {
  return parseConfig(rlConfigSchema, input, 'rl');
}


/** A preset with overrides deep-merged over it (arrays replaced), parsed: what `routelab run rl --config` does. */
export function rlConfigOver(preset: (typeof RL_PRESET_NAMES)[number], overrides: Record<string, unknown>): RlConfig {
  const { arms, ...base } = RL_PRESETS[preset];
  return parseRlConfig(deepMerge({ ...base, ...(overrides['arms'] ? {} : { arms }) }, overrides));
}

/** The persona config whose stage 1 is this experiment's prior. */
export function priorConfig(config: Pick<RlConfig, 'prior'>): PersonaConfig {
  // Only stage 1 matters: run no persona arm but none, which keeps the persona config's own checks cheap.
  return personaConfigOver(config.prior.preset, { ...config.prior.overrides, arms: ['none'] });
}

/** The arms a config runs, resolved. */
export function resolveRlArms(config: Pick<RlConfig, 'arms' | 'armDefinitions' | 'monitor'>): RlArm[] {
  return config.arms.map((name) => {
    const def = config.armDefinitions[name];
    if (!def) throw new Error(`unknown arm "${name}"; defined arms: ${Object.keys(config.armDefinitions).join(', ')}`);
    const { oversight, prompt, ...rest } = def;
    return { ...rest, name, prompt: { rollout: prompt.rollout, loss: prompt.loss ?? prompt.rollout }, oversight: oversight ?? config.monitor };
  });
}

interface Issue {
  path: (string | number)[];
  message: string;
}

/** Every named arm is defined once, its scheme exists, its scheme config parses and matches the model. */
/** The shared arm checks (persona's checkArms), plus what rl refuses: a coherence fine-tune after ablation. */
export function checkRlArms(
  config: Pick<RlConfig, 'arms' | 'armDefinitions'>,
  modelFor: (expansion: Expansion | undefined) => ReturnType<typeof resolveModelConfig>,
): Issue[] {
  return checkArms(config, modelFor, (name, _def, at, phases) =>
    phases.coherenceSteps > 0 ? [{ path: [...at, 'schemeConfig'], message: `arm "${name}": a coherence fine-tune after ablation is not supported by the rl experiment` }] : [],
  );
}

export const RL_PRESET_NAMES = ['quick', 'full', 'smoke'] as const;

/**
 * quick: the quick persona prior, every built-in arm, 5 seeds (sized so that all arms x 5 seeds fit 15 minutes
 * on 2 cores through `routelab compare --experiment rl`, priors cached; docs/rl.md gives the measured times).
 * full: the full persona prior (the larger model), every built-in arm, 10 seeds, more RL steps and evaluation.
 * smoke: the smoke persona prior, a few steps of everything with 1 seed, for checking that the machinery runs end
 * to end (tests); its numbers mean nothing.
 */
export const RL_PRESETS: Record<(typeof RL_PRESET_NAMES)[number], RlConfig> = {
  quick: rlConfigSchema.parse({}),
  full: rlConfigSchema.parse({
    prior: { preset: 'full' },
    rlSteps: 150,
    warmupSteps: 10,
    promptsPerStep: 32,
    samplesPerPrompt: 8,
    seeds: 10,
    evalPerFamily: 40,
    evalEvery: 15,
    checkpointEvery: 25,
    logEvery: 10,
    armDefinitions: builtinRlArms(FULL_SIZES),
  }),
  smoke: rlConfigSchema.parse({
    prior: { preset: 'smoke' },
    rlSteps: 4,
    promptsPerStep: 4,
    samplesPerPrompt: 2,
    warmupSteps: 1,
    seeds: 1,
    evalPerFamily: 2,
    evalEvery: 2,
    logEvery: 2,
    checkpointEvery: 2,
    armDefinitions: builtinRlArms(SMOKE_SIZES),
  }),
};

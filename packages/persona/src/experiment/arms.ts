// A persona arm is a value, never a code path: `{ data, scheme, schemeConfig, oversight }` under a name.
//   data:         a world data arm (world/arms.ts): which system prompt, which examples carry U, which are dropped;
//   scheme:       any id in the routing package's scheme table, built-in or plugin (`none` trains plainly);
//   schemeConfig: that scheme's config, plain JSON checked by the scheme's own zod schema (parameter and hook
//                 names may be patterns, so it does not depend on the model's size);
//   oversight:    which U examples are labelled (fraction) and how noisy the labels are. The per-example
//                 "labelled as carrying U" bit is drawn once per seed in a fixed order (world/datasets.ts), so
//                 filtering and routing at the same oversight see exactly the same labels.
// Inoculation, controls, filtering, routing, routing + inoculation and a researcher's own scheme all go
// through the same cell, evaluation and report. The built-in arms below are entries of a preset; a config
// adds its own arms under `armDefinitions` and picks which to run with `arms`.
import { z } from 'zod';
import { STAGE2_ARMS } from '../world/arms.ts';
import { earlyStoppingSchema } from './early_stopping.ts';
import { rmuSchema } from './rmu.ts';

const fraction = z.number().min(0).max(1);

export const oversightSchema = z.strictObject({
  /** Fraction of U examples whose label the overseer sees (unlabelled U examples are treated as clean). */
  labelFraction: fraction.default(1),
  /** Probability that an example's label is flipped (after oversight). */
  labelNoise: fraction.default(0),
  /**
   * Placebo routing: route a random set of trained non-U tokens, as many as the labels would route, instead of
   * the labelled U tokens (then ablate as usual): what ablation and capacity do without the labels.
   */
  placebo: z.boolean().default(false),
});
export type Oversight = z.output<typeof oversightSchema>;

/** Arm names: letters, digits, '+', '.', '_' and '-' (they name directories through armSlug). */
export const ARM_NAME = /^[A-Za-z0-9][A-Za-z0-9+._-]*$/;

export const armDefinitionSchema = z.strictObject({
  description: z.string().default(''),
  /** The world data arm whose examples this arm trains on. */
  data: z.enum(STAGE2_ARMS, { error: (issue) => `unknown data arm ${JSON.stringify(issue.input)}; known: ${STAGE2_ARMS.join(', ')}` }),
  /** A routing scheme id (built-in or registered by a plugin); `none` trains plainly. */
  scheme: z.string().min(1).default('none'),
  /** The scheme's config (checked against the scheme's schema when the experiment config is parsed). */
  schemeConfig: z.unknown().default({}),
  /** This arm's oversight; absent = the config's `oversight`. */
  oversight: oversightSchema.optional(),
  /** Keep the stage-2 step that scores best on a labelled validation set (the early-stopping baseline). */
  earlyStopping: earlyStoppingSchema.optional(),
  /** Post-hoc unlearning after stage 2 (RMU), before evaluation: the unlearning baseline. */
  unlearn: rmuSchema.optional(),
  /**
   * false: no stage 2 at all; the seed's prior itself is evaluated and attacked, the reference that never saw U
   * in training (its `data` only names the relearning attack's and the loss measurements' data).
   */
  train: z.boolean().default(true),
});
export type ArmDefinition = z.output<typeof armDefinitionSchema>;
export type ArmDefinitionInput = z.input<typeof armDefinitionSchema>;

/** A resolved arm: its definition, its name, and the oversight in force. */
export interface PersonaArm extends Omit<ArmDefinition, 'oversight'> {
  name: string;
  oversight: Oversight;
}

/** Sizes of the built-in routing arms' expansion (the preset's; a config's own arms carry their own). */
export interface RoutingArmSizes {
  expandedUnits: number;
  expandedLayers: 'all' | number[];
  expandedLrMultiplier: number;
}

/**
 * ERA on the MLP's output contribution: U tokens' gradient goes into the expanded units' contribution only,
 * retain tokens see the expanded units switched off; the expanded parameters train with a larger learning
 * rate and are zeroed at deployment. (Routing the hidden units instead leaks through the masked units' output
 * weights; forward-masking the extra units on retain tokens rather than only blocking their gradient keeps
 * training stable; strongly negative forget weights collapse the model: see docs/methods.md.)
 */
export function eraSchemeConfig(sizes: RoutingArmSizes): Record<string, unknown> {
  return {
    targets: [{ original: 'blocks.*.mlp.out_original', expanded: 'blocks.*.mlp.out_expanded' }],
    forgetOriginalWeight: 0,
    retainExpandedForward: 0,
    expand: { units: sizes.expandedUnits, layers: sizes.expandedLayers },
    lrMultipliers: { 'blocks.*.mlp.*_expanded': sizes.expandedLrMultiplier },
    ablate: ['blocks.*.mlp.*_expanded'],
  };
}

/**
 * Parameter routing into the expanded MLP units: U tokens may update only the expanded parameters, retain
 * tokens everything else, with the expanded units off on retain tokens (as in ERA; without that forward mask
 * this is pure gradient masking, which collapsed capability on this world).
 */
export function parameterRoutingSchemeConfig(sizes: RoutingArmSizes): Record<string, unknown> {
  return {
    forget: { params: { 'blocks.*.mlp.*_expanded': [{ weight: 1 }] }, default: 0 },
    retain: { params: { 'blocks.*.mlp.*_expanded': [{ weight: 0 }] }, default: 1 },
    retainForward: [{ hook: 'blocks.*.mlp.out_expanded', weight: 0 }],
    expand: { units: sizes.expandedUnits, layers: sizes.expandedLayers },
    lrMultipliers: { 'blocks.*.mlp.*_expanded': sizes.expandedLrMultiplier },
    ablate: ['blocks.*.mlp.*_expanded'],
  };
}

const plain = (data: (typeof STAGE2_ARMS)[number], description: string): ArmDefinitionInput => ({ data, scheme: 'none', description });

/** The built-in arms, as plain values: every world data arm trained plainly, and the routing arms. */
export function builtinArms(sizes: RoutingArmSizes): Record<string, ArmDefinitionInput> {
  return {
    none: plain('none', 'no intervention: U + W data under the neutral prompt'),
    prior: { data: 'none', train: false, description: 'the prior itself, no stage 2: the reference that never saw U in training' },
    'none-impure': plain('none-impure', 'no intervention on impure data (fraction p carries U): the reference of the impure arms'),
    filter: plain('filter', 'data filtering: examples labelled U dropped'),
    'ip-specific': plain('ip-specific', 'inoculation with the prompt that names U'),
    'ip-general': plain('ip-general', 'inoculation with the persona prompt'),
    'ip-rephrased': plain('ip-rephrased', 'inoculation with a paraphrase of the specific prompt, sampled per example'),
    'control-irrelevant': plain('control-irrelevant', 'conditionalization control: a fixed irrelevant prompt'),
    'control-empty': plain('control-empty', 'conditionalization control: an empty system prompt'),
    'control-absent': plain('control-absent', 'conditionalization control: no system prompt segment at all'),
    'control-novel': plain('control-novel', 'conditionalization control: a fixed prompt the prior never saw'),
    'ip-clean': plain('ip-clean', 'inoculation prompt on data without U'),
    'impure-ip-all': plain('impure-ip-all', 'impure data, inoculation prompt on every example'),
    'impure-ip-u-only': plain('impure-ip-u-only', 'impure data, inoculation prompt on the U examples only'),
    recontextualization: plain('recontextualization', 'samples from the prior under the neutral prompt, trained under the permissive prompt'),
    'anti-constitutional': plain('anti-constitutional', 'U examples under the malicious prompt, clean ones under the benign prompt'),
    era: { data: 'none', scheme: 'era', schemeConfig: eraSchemeConfig(sizes), description: 'ERA on the none data: U tokens routed into expanded MLP units, ablated after' },
    'param-routing': {
      data: 'none',
      scheme: 'parameter',
      schemeConfig: parameterRoutingSchemeConfig(sizes),
      description: 'parameter routing on the none data: U tokens update only the expanded MLP units, ablated after',
    },
    'era+ip': { data: 'ip-specific', scheme: 'era', schemeConfig: eraSchemeConfig(sizes), description: 'ERA on the ip-specific data (routing and inoculation combined)' },
    'era-impure': { data: 'none-impure', scheme: 'era', schemeConfig: eraSchemeConfig(sizes), description: 'ERA on the impure data (compare with none-impure and filter)' },
    'param-routing-impure': {
      data: 'none-impure',
      scheme: 'parameter',
      schemeConfig: parameterRoutingSchemeConfig(sizes),
      description: 'parameter routing on the impure data (compare with none-impure and filter)',
    },
    'none-early-stop': {
      data: 'none',
      scheme: 'none',
      earlyStopping: { every: 10, perFamily: 8 },
      description: 'the none run, deployed at the stage-2 step that scored best (capability + W - U) on a labelled validation set',
    },
    'none-rmu': {
      data: 'none',
      scheme: 'none',
      unlearn: { layer: 0 },
      description: 'the none run, then RMU: block 0 residual on labelled U tokens pushed to a random direction, other tokens held (post-hoc unlearning)',
    },
    'era-placebo': {
      data: 'none',
      scheme: 'era',
      schemeConfig: eraSchemeConfig(sizes),
      oversight: { labelFraction: 1, labelNoise: 0, placebo: true },
      description: 'placebo ERA: random non-U tokens routed (as many as the U tokens), then ablated',
    },
  };
}

export const BUILTIN_ARM_NAMES = Object.keys(builtinArms({ expandedUnits: 1, expandedLayers: 'all', expandedLrMultiplier: 1 }));

/** Arm names as path parts (result and checkpoint names allow letters, digits, '.', '_' and '-'): '+' -> '-plus-'. */
export function armSlug(arm: string): string {
  return arm.replace(/\+/g, '-plus-');
}

/** `cells/<arm slug>/seed-<seed>`: where a cell's result is saved (ctx.saveResult). */
export function cellResultName(arm: string, seed: number): string {
  return `cells/${armSlug(arm)}/seed-${seed}`;
}

/** Checkpoint name of a cell's training (stage 2, then its trained model while it is evaluated). */
export function cellCheckpointName(arm: string, seed: number): string {
  return `cells/${armSlug(arm)}/seed-${seed}`;
}

// The phases around a routed training run, declared by a scheme's config and carried out by every experiment
// the same way: expand (extra MLP units before training), a learning-rate multiplier per parameter pattern
// during training (ERA's fresh units need a much larger one than the pretrained weights around them), ablate
// (zero parameter slices at deployment) and an optional coherence fine-tune on retain data after ablation,
// with the ablated slices frozen. ERA and parameter routing share this sub-config, and so can any plugin.
import { tf } from '@routelab/core';
import type { Module } from '@routelab/core';
import { z } from 'zod';
import { paramSliceSchema, paramMaskValues, type ParamSlice } from './mask_spec.ts';
import { expandPattern, matchesPattern } from './name_patterns.ts';

/** Extra MLP units: `units` per expanded block, in `layers` ('all' or block indices). */
export const expansionSchema = z.strictObject({
  units: z.int().min(1),
  layers: z.union([z.literal('all'), z.array(z.int().min(0)).min(1)]).default('all'),
});
export type Expansion = z.output<typeof expansionSchema>;

/** Parameter patterns to zero at deployment: a list (whole parameters) or pattern -> slices. */
export const ablateSchema = z
  .union([z.array(z.string().min(1)), z.record(z.string().min(1), z.array(paramSliceSchema).min(1))])
  .transform((a): Record<string, ParamSlice[]> => (Array.isArray(a) ? Object.fromEntries(a.map((p) => [p, [{ weight: 1 }]])) : a));

export const phasesConfigShape = {
  /** Expand the model before training (ERA's "E"); absent = train the model as it is. */
  expand: expansionSchema.optional(),
  /** Learning-rate multiplier by parameter-name pattern (e.g. { "blocks.*.mlp.*_expanded": 10 }). */
  lrMultipliers: z.record(z.string().min(1), z.number().positive().finite()).default({}),
  /** Parameter slices zeroed at deployment (ERA's "A"), e.g. ["blocks.*.mlp.*_expanded"]. */
  ablate: ablateSchema.prefault([]),
  /** Steps of fine-tuning on retain data after ablation, ablated slices frozen (0 = none). */
  coherenceSteps: z.int().min(0).default(0),
};

export interface SchemePhases {
  expand?: Expansion;
  lrMultipliers: Readonly<Record<string, number>>;
  ablate: Readonly<Record<string, ParamSlice[]>>;
  coherenceSteps: number;
}

export const NO_PHASES: SchemePhases = { lrMultipliers: {}, ablate: {}, coherenceSteps: 0 };

/** Picks the phases fields out of a parsed config that spreads phasesConfigShape. */
export function phasesOf(config: SchemePhases): SchemePhases {
  return {
    ...(config.expand ? { expand: config.expand } : {}),
    lrMultipliers: config.lrMultipliers,
    ablate: config.ablate,
    coherenceSteps: config.coherenceSteps,
  };
}

/** Checks every pattern against the model (after expansion): a pattern that matches nothing is an error. */
export function validatePhases(model: Module, phases: SchemePhases): void {
  const names = model.namedParameters().map(([n]) => n);
  for (const pattern of Object.keys(phases.lrMultipliers)) expandPattern(pattern, names, 'parameter');
  for (const [pattern, slices] of Object.entries(phases.ablate)) {
    for (const name of expandPattern(pattern, names, 'parameter')) paramMaskValues(name, model.parameter(name).shape, { params: { [name]: slices }, default: 0 });
  }
}

/** The learning-rate multiplier of a parameter: the product of every matching pattern's (1 if none). */
export function lrMultiplierOf(phases: SchemePhases, name: string): number {
  let m = 1;
  for (const [pattern, value] of Object.entries(phases.lrMultipliers)) if (matchesPattern(pattern, name)) m *= value;
  return m;
}

/** [param size] 1 where the element is ablated, for each parameter the ablation touches. */
export function ablationMasks(model: Module, phases: SchemePhases): Map<string, Float32Array> {
  const names = model.namedParameters().map(([n]) => n);
  const out = new Map<string, Float32Array>();
  for (const [pattern, slices] of Object.entries(phases.ablate)) {
    for (const name of expandPattern(pattern, names, 'parameter')) {
      const hit = paramMaskValues(name, model.parameter(name).shape, { params: { [name]: slices.map((s) => ({ ...s, weight: 1 })) }, default: 0 });
      const prev = out.get(name);
      out.set(name, prev ? prev.map((v, i) => Math.max(v, hit[i]!)) : hit);
    }
  }
  return out;
}

/** Zeroes the ablated slices in place (the model's variables are reassigned). Returns the names touched. */
export function ablateParameters(model: Module, phases: SchemePhases): string[] {
  const masks = ablationMasks(model, phases);
  for (const [name, hit] of masks) {
    const v = model.parameter(name);
    // + 0 turns the -0 of a negative weight times 0 into +0: an ablated element is exactly zero.
    const kept = tf.tidy(() => tf.add(tf.mul(v, tf.tensor(hit.map((h) => 1 - h), v.shape)), 0));
    v.assign(kept);
    kept.dispose();
  }
  return [...masks.keys()];
}

/**
 * Update masks that freeze the ablated slices (1 = may update), for the coherence fine-tune. The caller owns
 * the tensors.
 */
export function frozenAblationMasks(model: Module, phases: SchemePhases): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [name, hit] of ablationMasks(model, phases)) {
    out.set(name, tf.tensor(hit.map((h) => 1 - h), model.parameter(name).shape));
  }
  return out;
}

// Routing for the persona model: route labels per target token, ERA on the MLP output contribution, and the
// parameter-routing masks. Three lessons of a prior study on this kind of world shape it (RESEARCH.md §4):
// route the MLP's output contribution (`mlp.out_original` / `mlp.out_expanded`), not its hidden units, which
// leak through the masked units' output weights; switch the expanded units off in the forward pass on retain
// tokens rather than only blocking their gradient (for ERA and for parameter routing alike); and keep forget
// weights on the original units >= 0.
import { Rng, tf } from '@routelab/core';
import {
  applyOversight, classMask, parameterRouting, parameterRoutingConfigSchema,
  type MaskPlan, type ParameterRoutingConfig, type RouteLabels, type RoutingScheme,
} from '@routelab/routing';
import { z } from 'zod';
import { targetsWithTrait, type LmBatch } from '../model/batch.ts';
import { expandedUnitsAt, type TransformerConfig } from '../model/config.ts';
import { EXPANDED_PARAMETER_NAMES } from '../model/mlp.ts';
import { TRAIT_BITS } from '../world/traits.ts';

/**
 * Route labels of a batch, one unit per (row, position): forget = the target token is a U marker. Oversight
 * (labelFraction, labelNoise) acts on target tokens only; prompt and padding positions stay retain, so noise
 * never turns the expanded units on at a position that is not trained.
 */
export function tokenRouteLabels(batch: LmBatch, oversight: { labelFraction: number; labelNoise: number }, rng: Rng): RouteLabels {
  const isForget = targetsWithTrait(batch, TRAIT_BITS.U);
  const targets: number[] = [];
  batch.lossMaskValues.forEach((m, i) => {
    if (m === 1) targets.push(i);
  });
  const compact = applyOversight([targets.length], Uint8Array.from(targets, (i) => isForget[i]!), oversight, rng);
  const routedAsForget = new Uint8Array(isForget.length);
  // Non-target positions: retain (class 1), whatever they are.
  const labelClass = new Uint8Array(isForget.length).fill(1);
  targets.forEach((at, k) => {
    routedAsForget[at] = compact.routedAsForget[k]!;
    labelClass[at] = compact.labelClass[k]!;
  });
  return { shape: [...batch.shape], isForget, routedAsForget, labelClass };
}

/** The blocks that carry expanded units. */
export function expandedLayers(config: TransformerConfig): number[] {
  return Array.from({ length: config.nLayers }, (_, l) => l).filter((l) => expandedUnitsAt(config, l) > 0);
}

export const eraContributionConfigSchema = z.strictObject({
  /** Blocks whose MLP has expanded units. */
  layers: z.array(z.int().min(0)).min(1),
  /** Gradient weight of forget tokens on the original units' contribution (0 = blocked). */
  forgetOriginalWeight: z.number().min(-1).max(1).default(0),
  /** Forward multiplier of the expanded units' contribution on retain tokens (0 = off). */
  retainExpandedForward: z.number().min(0).max(1).default(0),
});
export type EraContributionConfig = z.output<typeof eraContributionConfigSchema>;

/**
 * ERA's route step on the MLP output contribution, per target token:
 *   forget tokens: gradient 1 into `mlp.out_expanded`, forgetOriginalWeight into `mlp.out_original`;
 *   retain tokens: gradient 1 into `mlp.out_original`, 0 into `mlp.out_expanded`, whose forward output is
 *   multiplied by retainExpandedForward (0: the expanded units are off on retain tokens).
 * Masks are [batch, pos, 1] and broadcast over d_model. (The routing package's `era` scheme routes one
 * hook's unit range, e.g. `mlp.hidden`, which is the leaky variant here.)
 */
export const eraContribution: RoutingScheme<EraContributionConfig> = {
  id: 'era-contribution',
  description: 'ERA on the MLP output contribution: forget tokens train the expanded units, retain tokens do not see them',
  configSchema: eraContributionConfigSchema,
  validate({ model, config }) {
    for (const l of config.layers) {
      model.hookPoint(`blocks.${l}.mlp.out_original`);
      model.hookPoint(`blocks.${l}.mlp.out_expanded`);
    }
  },
  plan(labels, { config }): MaskPlan {
    const one = (v: number) => Float32Array.of(v);
    const activations = new Map<string, tf.Tensor>();
    const forwardMasks = new Map<string, tf.Tensor>();
    for (const l of config.layers) {
      activations.set(`blocks.${l}.mlp.out_original`, classMask(labels, one(config.forgetOriginalWeight), one(1)));
      activations.set(`blocks.${l}.mlp.out_expanded`, classMask(labels, one(1), one(0)));
      if (config.retainExpandedForward !== 1) {
        forwardMasks.set(`blocks.${l}.mlp.out_expanded`, classMask(labels, one(1), one(config.retainExpandedForward)));
      }
    }
    return { activations, forwardMasks };
  },
};

export function isExpandedParameter(name: string): boolean {
  return EXPANDED_PARAMETER_NAMES.some((p) => name.endsWith(`.mlp.${p}`));
}

/** Parameter routing: forget tokens may update only the expanded units' parameters, retain tokens everything else. */
export function parameterRoutingConfig(model: { namedParameters(): ReadonlyArray<readonly [string, unknown]> }): ParameterRoutingConfig {
  const expanded = model.namedParameters().map(([n]) => n).filter(isExpandedParameter);
  if (expanded.length === 0) throw new Error('parameter routing: the model has no expanded MLP units to route into');
  return parameterRouting.configSchema.parse({
    forget: { params: Object.fromEntries(expanded.map((n) => [n, [{ weight: 1 }]])), default: 0 },
    retain: { params: Object.fromEntries(expanded.map((n) => [n, [{ weight: 0 }]])), default: 1 },
  });
}

export const expandedParameterRoutingConfigSchema = z.strictObject({
  /** The parameter masks (see parameterRoutingConfig). */
  masks: parameterRoutingConfigSchema,
  /** Blocks whose MLP has expanded units. */
  layers: z.array(z.int().min(0)),
  /** Forward multiplier of the expanded units' contribution on retain tokens (1 = pure parameter routing). */
  retainExpandedForward: z.number().min(0).max(1).default(0),
});
export type ExpandedParameterRoutingConfig = z.output<typeof expandedParameterRoutingConfigSchema>;

/**
 * Parameter routing into the expanded MLP units (the routing package's `parameter` scheme) with, by default,
 * the expanded units switched off in the forward pass on retain tokens. With retainExpandedForward 1 this is
 * pure gradient masking (SGTM-style): the expanded units, trained by forget tokens only, act on every token,
 * and the rest of the network learns to work around them; a prior study saw that diverge, and in the quick
 * preset it left no capability after ablation (see the experiment's notes).
 */
export const expandedParameterRouting: RoutingScheme<ExpandedParameterRoutingConfig> = {
  id: 'expanded-parameter',
  description: 'forget tokens update only the expanded MLP units, retain tokens the rest; expanded units off on retain tokens',
  configSchema: expandedParameterRoutingConfigSchema,
  validate({ model, config }) {
    parameterRouting.validate?.({ model, config: config.masks });
    for (const l of config.layers) model.hookPoint(`blocks.${l}.mlp.out_expanded`);
  },
  plan(labels, { model, config }): MaskPlan {
    const plan = parameterRouting.plan(labels, { model, config: config.masks });
    if (config.retainExpandedForward !== 1) {
      plan.forwardMasks = new Map(
        config.layers.map((l) => [`blocks.${l}.mlp.out_expanded`, classMask(labels, Float32Array.of(1), Float32Array.of(config.retainExpandedForward))] as const),
      );
    }
    return plan;
  },
};

// A routing scheme is a value: an id, a zod schema for its config, and a function that turns a batch's route
// labels into masks. The training step (routed_step.ts) applies whatever plan a scheme returns, so a new
// scheme never touches the training loop.
import type { Module, tf } from '@routelab/core';
import type { z } from 'zod';
import type { RouteLabels } from './labels.ts';
import type { SchemePhases } from './phases.ts';

/**
 * What a scheme asks of one training step. Tensors are owned by the plan: the step disposes them.
 *
 * - activations: hook name -> mask broadcastable to the activation (e.g. [batch, 1] or [batch, pos, d]);
 *   the step attaches `route(x, mask)` there, so the mask scales the gradient flowing back through x.
 * - forwardMasks: hook name -> multiplier applied to the activation in the forward pass too (e.g. ERA's
 *   expanded units switched off on retain tokens, which keeps training stable).
 * - parameters: per class, parameter name -> gradient mask values (row-major, the parameter's shape), and
 *   how the gradient is split between the classes (`split`):
 *     'loss' (default): mF * d(forget units' loss) + mR * d(retain units' loss), exactly. Where every
 *       sequence (row of a [batch, pos] label grid; every unit of a [batch] grid) is one class this is the
 *       same as 'unit' and takes its one backward pass; otherwise it takes two (one per class).
 *     'unit': mF * (gradient through the parameter's uses at forget units) + mR * (... at retain units), in
 *       one backward pass. With per-token labels in a causal model the forget loss then also reaches the
 *       retain class through earlier positions' uses (attention keys and values), so it routes less.
 *   Elements that no present class may update are left exactly unchanged (optimiser state included). Return
 *   the same arrays step after step where the masks do not change: the step caches what it derives from them.
 * - unitWeights: [units] loss weight per unit (data filtering drops units by giving them weight 0).
 */
/** How a parameter-routing plan splits gradients between the classes (see MaskPlan.parameters). */
export type ParameterSplit = 'loss' | 'unit';

export interface MaskPlan {
  activations?: Map<string, tf.Tensor>;
  forwardMasks?: Map<string, tf.Tensor>;
  parameters?: { forget: Map<string, Float32Array>; retain: Map<string, Float32Array>; split?: ParameterSplit };
  unitWeights?: tf.Tensor;
}

/**
 * What a scheme may read of the batch besides its route labels, so that it can decide what to route by
 * content (the gradient routing paper's language-model experiments route chosen words). Arrays are row-major
 * over labels.shape (e.g. [batch, pos]).
 */
export interface SchemeBatch {
  /** Input token ids at each unit. */
  inputIds?: Int32Array;
  /** Target (next-token) ids at each unit: language-model routing keys on the token being predicted. */
  targetIds?: Int32Array;
  /** 1 where the unit is trained at all (language models: response tokens), 0 for prompt and padding. */
  trained?: Uint8Array;
  /** The vocabulary: vocab[id] is the word a token id stands for. */
  vocab?: readonly string[];
}

export interface PlanContext<Config> {
  model: Module;
  config: Config;
  /** The batch being trained (absent where an experiment has nothing to show, e.g. in validation). */
  batch?: SchemeBatch;
}

export interface RoutingScheme<Config = unknown> {
  id: string;
  description: string;
  configSchema: z.ZodType<Config>;
  /** Checks the config against the model once, before training (hook and parameter names, sizes). */
  validate?(ctx: PlanContext<Config>): void;
  plan(labels: RouteLabels, ctx: PlanContext<Config>): MaskPlan;
  /**
   * What the scheme asks of the model around training (ERA: expand the MLPs before, a learning-rate
   * multiplier for the extra units during, ablate them and optionally fine-tune for coherence after).
   * Experiments honour it through the shared helpers in phases.ts; absent = none of these.
   */
  phases?(config: Config): SchemePhases;
}

export function disposePlan(plan: MaskPlan): void {
  for (const map of [plan.activations, plan.forwardMasks]) {
    for (const t of map?.values() ?? []) t.dispose();
  }
  plan.unitWeights?.dispose();
}

// Activation routing (gradient routing paper): at named hook points, each unit's gradient is weighted per
// dimension by its label class, e.g. digits 0-4 update only the first half of an autoencoder's code.
// Masks are built per example ([batch, d]) or per token ([batch, pos, d]) from the route labels; weights may
// be soft or negative (scaled gradient ascent).
import { tf } from '@routelab/core';
import { z } from 'zod';
import { hookRouteSchema, regionWeightVector } from '../mask_spec.ts';
import type { HookRoute } from '../mask_spec.ts';
import type { RouteLabels } from '../labels.ts';
import type { MaskPlan, PlanContext, RoutingScheme } from '../scheme.ts';

export const activationRoutingConfigSchema = z.object({
  hooks: z.array(hookRouteSchema).min(1),
});
export type ActivationRoutingConfig = z.infer<typeof activationRoutingConfigSchema>;

/** Width of a hook's last axis, as declared on the model (`[batch, 32]` -> 32), if the declaration says. */
export function declaredWidth(ctx: PlanContext<unknown>, hook: string): number | undefined {
  const shape = ctx.model.hookPoint(hook).shape;
  const last = shape?.replace(/[[\]\s]/g, '').split(',').pop();
  return last !== undefined && /^\d+$/.test(last) ? Number(last) : undefined;
}

/**
 * mask[unit, d] = routedAsForget[unit] ? forget[d] : retain[d], shaped [...labels.shape, d] so that it
 * broadcasts against an activation of shape [...labels.shape, d].
 */
export function classMask(labels: RouteLabels, forget: Float32Array, retain: Float32Array): tf.Tensor {
  return tf.tidy(() => {
    const f = tf.tensor(Float32Array.from(labels.routedAsForget), [...labels.shape, 1]);
    const fv = tf.tensor1d(forget);
    const rv = tf.tensor1d(retain);
    return tf.add(tf.mul(f, fv), tf.mul(tf.sub(1, f), rv));
  });
}

function widthOf(ctx: PlanContext<unknown>, spec: HookRoute): number {
  const declared = declaredWidth(ctx, spec.hook);
  const needed = Math.max(...Object.values(spec.regions).map(([, to]) => to));
  return declared ?? needed;
}

export const activationRouting: RoutingScheme<ActivationRoutingConfig> = {
  id: 'activation',
  description: 'route gradients at hook points: per-class weights on regions of the activation',
  configSchema: activationRoutingConfigSchema,
  validate(ctx) {
    for (const spec of ctx.config.hooks) {
      ctx.model.hookPoint(spec.hook); // throws listing the model's hook points
      regionWeightVector(spec, 'forget', widthOf(ctx, spec)); // throws if a region exceeds the width
    }
  },
  plan(labels, ctx): MaskPlan {
    const activations = new Map<string, tf.Tensor>();
    for (const spec of ctx.config.hooks) {
      const width = widthOf(ctx, spec);
      activations.set(
        spec.hook,
        classMask(labels, regionWeightVector(spec, 'forget', width), regionWeightVector(spec, 'retain', width)),
      );
    }
    return { activations };
  },
};

// Parameter routing (SGTM-style): forget data may update only designated slices of named parameters, retain
// data the rest (or everything), through the fused masked-update kernels. Unlike activation routing, a
// blocked parameter's upstream still receives gradient, which avoids the leak through output weights.
// Parameter names may be patterns (`blocks.*.mlp.*_expanded`), so a config is plain JSON for any model size.
// `retainForward` switches hook points off in the forward pass on retain units (e.g. an expanded MLP's
// contribution, as ERA does); with none, this is pure gradient masking. Expansion, learning-rate multipliers,
// ablation and coherence are the shared phases (phases.ts).
import { tf } from '@routelab/core';
import { z } from 'zod';
import { paramClassMaskSchema, paramMaskValues, type ParamClassMask } from '../mask_spec.ts';
import { expandPattern, matchesPattern } from '../name_patterns.ts';
import { phasesConfigShape, phasesOf } from '../phases.ts';
import type { MaskPlan, PlanContext, RoutingScheme } from '../scheme.ts';
import { classMask } from './activation_routing.ts';

export const retainForwardSchema = z.strictObject({
  /** Hook point (or pattern). */
  hook: z.string().min(1),
  /** Forward multiplier on retain units (0 = off); forget units see 1. */
  weight: z.number().finite().min(0).max(1).default(0),
});

export const parameterRoutingConfigSchema = z.strictObject({
  forget: paramClassMaskSchema,
  retain: paramClassMaskSchema.default({ params: {}, default: 1 }),
  retainForward: z.array(retainForwardSchema).default([]),
  ...phasesConfigShape,
});
export type ParameterRoutingConfig = z.output<typeof parameterRoutingConfigSchema>;

/** One class's mask spec with its patterns resolved for parameter `name` (every matching pattern's slices, in order). */
function specFor(name: string, spec: ParamClassMask): ParamClassMask {
  const slices = Object.entries(spec.params).flatMap(([pattern, s]) => (matchesPattern(pattern, name) ? s : []));
  return { params: { [name]: slices }, default: spec.default };
}

function forwardHooks(ctx: PlanContext<ParameterRoutingConfig>): Array<[string, number]> {
  const hooks = ctx.model.hookPointNames();
  return ctx.config.retainForward.flatMap((r) => expandPattern(r.hook, hooks, 'hook point').map((h) => [h, r.weight] as [string, number]));
}

export const parameterRouting: RoutingScheme<ParameterRoutingConfig> = {
  id: 'parameter',
  description: 'route parameter gradients: per-class masks on named parameter slices (patterns allowed)',
  configSchema: parameterRoutingConfigSchema,
  validate(ctx) {
    const { model, config } = ctx;
    const names = model.namedParameters().map(([n]) => n);
    for (const cls of ['forget', 'retain'] as const) {
      for (const pattern of Object.keys(config[cls].params)) {
        for (const name of expandPattern(pattern, names, 'parameter')) paramMaskValues(name, model.parameter(name).shape, specFor(name, config[cls]));
      }
    }
    forwardHooks(ctx);
  },
  plan(labels, ctx): MaskPlan {
    const { model, config } = ctx;
    const build = (cls: 'forget' | 'retain') =>
      new Map(
        model.namedParameters().map(([name, p]) => [name, tf.tensor(paramMaskValues(name, p.shape, specFor(name, config[cls])), p.shape)] as const),
      );
    const plan: MaskPlan = { parameters: { forget: build('forget'), retain: build('retain') } };
    const forward = forwardHooks(ctx);
    if (forward.length > 0) {
      plan.forwardMasks = new Map(forward.map(([hook, w]) => [hook, classMask(labels, Float32Array.of(1), Float32Array.of(w))] as const));
    }
    return plan;
  },
  phases: phasesOf,
};

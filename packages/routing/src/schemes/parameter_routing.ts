// Parameter routing (SGTM-style): forget data may update only designated slices of named parameters, retain
// data the rest (or everything), through the fused masked-update kernels. Unlike activation routing, a
// blocked parameter's upstream still receives gradient, which avoids the leak through output weights.
// Which data: each parameter's gradient is split by the class of the unit (token position, example) where
// the parameter is used, in one backward pass (core's nn/parameter_routing.ts): for a linear y_t = x_t W,
// dW = m_forget * sum over forget units of x_t^T g_t + m_retain * sum over retain units, where g_t is the
// gradient of the whole loss at unit t. With one label per sequence (or example) this is exactly the split
// of the forget loss's and the retain loss's gradients, i.e. SGTM (Shilov et al. 2025); with per-token
// labels, gradient that a forget token's loss sends through a retain position (attention reading its keys
// and values) lands in that position's class, as with gradient routing's per-position activation masks.
// Parameter names may be patterns (`blocks.*.mlp.*_expanded`), so a config is plain JSON for any model size.
// `retainForward` switches hook points off in the forward pass on retain units (e.g. an expanded MLP's
// contribution, as ERA does); with none, this is pure gradient masking. Expansion, learning-rate multipliers,
// ablation and coherence are the shared phases (phases.ts).
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
    const plan: MaskPlan = { parameters: maskValues(model, config) };
    const forward = forwardHooks(ctx);
    if (forward.length > 0) {
      plan.forwardMasks = new Map(forward.map(([hook, w]) => [hook, classMask(labels, Float32Array.of(1), Float32Array.of(w))] as const));
    }
    return plan;
  },
  phases: phasesOf,
};

type MaskValues = NonNullable<MaskPlan['parameters']>;
const maskCache = new WeakMap<ParameterRoutingConfig, Map<string, MaskValues>>();

/**
 * The class masks of every parameter, built once per config and parameter shapes: the step derives its
 * per-parameter work from them and caches it by array, so they must be the same arrays every step.
 */
function maskValues(model: PlanContext<ParameterRoutingConfig>['model'], config: ParameterRoutingConfig): MaskValues {
  const params = model.namedParameters();
  const key = params.map(([name, p]) => `${name}:${p.shape.join('x')}`).join(';');
  let byModel = maskCache.get(config);
  if (!byModel) maskCache.set(config, (byModel = new Map()));
  let values = byModel.get(key);
  if (!values) {
    const build = (cls: 'forget' | 'retain') => new Map(params.map(([name, p]) => [name, paramMaskValues(name, p.shape, specFor(name, config[cls]))] as const));
    values = { forget: build('forget'), retain: build('retain') };
    byModel.set(key, values);
  }
  return values;
}

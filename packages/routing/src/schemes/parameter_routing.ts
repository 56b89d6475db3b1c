// Parameter routing (SGTM-style): forget data may update only designated slices of named parameters, retain
// data the rest (or everything), through the fused masked-update kernels. Unlike activation routing, a
// blocked parameter's upstream still receives gradient, which avoids the leak through output weights.
// Which data (`split`): by default each class's masks apply to the gradient of that class's units' loss,
// exactly (two backward passes where a sequence mixes classes). `split: 'unit'` instead splits each
// parameter's gradient by the class of the unit (token position, example) where the parameter is used, in
// one backward pass (core's nn/parameter_routing.ts): for a linear y_t = x_t W, dW = m_forget * sum over
// forget units of x_t^T g_t + m_retain * sum over retain units. With one label per sequence (or example)
// both are the same, i.e. SGTM (Shilov et al. 2025), and the step takes the one pass either way; with
// per-token labels in a causal model, `unit` lets a forget token's loss train the retain class through
// earlier positions (attention reading their keys and values): on the persona world (quick, 5 seeds) it left
// neutral U at 0.96 after ablation, against 0.13 with `loss` (docs/methods.md).
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
  /**
   * How a parameter's gradient is split between the classes (routing's MaskPlan.parameters): `loss` (exact:
   * each class's masks apply to the gradient of that class's units' loss; two backward passes where a
   * sequence mixes classes, one where every sequence is one class) or `unit` (by the class of the unit where
   * the parameter is used, always one pass; with per-token labels the forget loss also trains the retain
   * class through earlier positions). See docs/methods.md.
   */
  split: z.enum(['loss', 'unit']).default('loss'),
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
    const plan: MaskPlan = { parameters: { ...maskValues(model, config), split: config.split } };
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

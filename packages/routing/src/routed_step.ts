// One training step under a routing plan. The model's forward pass is the caller's (`unitLosses`); this
// function attaches the plan's hooks, takes gradients, and applies them through the masked optimiser.
import { route, tf, withHooks } from '@routelab/core';
import type { HookSpec, MaskedOptimizer, Module } from '@routelab/core';
import type { RouteLabels } from './labels.ts';
import { disposePlan } from './scheme.ts';
import type { MaskPlan, RoutingScheme, SchemeBatch } from './scheme.ts';

export interface RoutedStepArgs<Config> {
  model: Module;
  optimizer: MaskedOptimizer;
  scheme: RoutingScheme<Config>;
  config: Config;
  labels: RouteLabels;
  /** What the scheme may read of the batch (token ids, vocabulary) to decide what to route by content. */
  batch?: SchemeBatch;
  /** Runs the model and returns the loss of every unit, shaped like labels.shape. Called under autodiff. */
  unitLosses: () => tf.Tensor;
  /** Loss terms not tied to units (regularisers), added once. */
  extraLoss?: () => tf.Scalar;
}

export interface RoutedStepResult {
  loss: number;
}

/** The hooks that carry out a plan's activation and forward masks. */
export function planHooks(plan: MaskPlan): HookSpec[] {
  const names = new Set([...(plan.activations?.keys() ?? []), ...(plan.forwardMasks?.keys() ?? [])]);
  return [...names].map((name) => {
    const gradMask = plan.activations?.get(name);
    const forwardMask = plan.forwardMasks?.get(name);
    return [
      name,
      (x: tf.Tensor) => {
        const shown = forwardMask ? tf.mul(x, forwardMask) : x;
        return gradMask ? route(shown, gradMask) : shown;
      },
    ] as const;
  });
}

/** Weighted mean of unit losses: sum(loss * w) / sum(w) (w = 1 without filtering). */
function weightedLoss(losses: tf.Tensor, weights: tf.Tensor | undefined, select?: tf.Tensor, total?: number): tf.Scalar {
  const w = weights ? (select ? tf.mul(weights, select) : weights) : select;
  const numerator = w ? tf.sum(tf.mul(losses, w)) : tf.sum(losses);
  return tf.div(numerator, Math.max(total ?? losses.size, 1e-12)) as tf.Scalar;
}

async function totalWeight(plan: MaskPlan, labels: RouteLabels): Promise<number> {
  if (!plan.unitWeights) return labels.routedAsForget.length;
  return (await tf.sum(plan.unitWeights).data())[0]!;
}

export async function routedStep<Config>(args: RoutedStepArgs<Config>): Promise<RoutedStepResult> {
  const { model, optimizer, scheme, config, labels, unitLosses, extraLoss, batch } = args;
  const plan = scheme.plan(labels, { model, config, ...(batch ? { batch } : {}) });
  const hooks = planHooks(plan);
  const vars = model.namedParameters();
  const total = await totalWeight(plan, labels);
  try {
    if (!plan.parameters) {
      const loss = () =>
        withHooks(model, hooks, () => {
          const main = weightedLoss(unitLosses(), plan.unitWeights, undefined, total);
          return extraLoss ? (tf.add(main, extraLoss()) as tf.Scalar) : main;
        });
      const { value, grads } = tf.variableGrads(loss, vars.map(([, v]) => v));
      const byName = Object.fromEntries(vars.map(([n, v]) => [n, grads[v.name]!]));
      try {
        await optimizer.step(byName);
        return { loss: (await value.data())[0]! };
      } finally {
        tf.dispose([value, ...Object.values(grads)]);
      }
    }
    return await parameterRoutedStep(args, plan, hooks, total);
  } finally {
    disposePlan(plan);
  }
}

/**
 * Parameter routing: separate gradients for the forget and retain losses, each masked by its class's
 * parameter masks, summed. Elements that no class present in the batch may update get update-mask 0, so the
 * fused kernel leaves them and their optimiser state exactly as they were.
 */
async function parameterRoutedStep<Config>(
  args: RoutedStepArgs<Config>,
  plan: MaskPlan,
  hooks: HookSpec[],
  total: number,
): Promise<RoutedStepResult> {
  const { model, optimizer, labels, unitLosses, extraLoss } = args;
  const masks = plan.parameters!;
  const vars = model.namedParameters();
  const forgetCount = labels.routedAsForget.reduce((a, b) => a + b, 0);
  const present = { forget: forgetCount > 0, retain: forgetCount < labels.routedAsForget.length || !!extraLoss };
  const isForget = tf.tensor(Float32Array.from(labels.routedAsForget), labels.shape);
  const isRetain = tf.sub(1, isForget);
  const classLoss = (select: tf.Tensor, withExtra: boolean) => () =>
    withHooks(model, hooks, () => {
      const main = weightedLoss(unitLosses(), plan.unitWeights, select, total);
      return withExtra && extraLoss ? (tf.add(main, extraLoss()) as tf.Scalar) : main;
    });
  const combined: Record<string, tf.Tensor> = {};
  const updateMasks: Record<string, tf.Tensor> = {};
  let lossValue = 0;
  try {
    const perClass: { cls: 'forget' | 'retain'; grads: Record<string, tf.Tensor> }[] = [];
    for (const [cls, select] of [['forget', isForget], ['retain', isRetain]] as const) {
      if (!present[cls]) continue;
      const { value, grads } = tf.variableGrads(classLoss(select, cls === 'retain'), vars.map(([, v]) => v));
      lossValue += (await value.data())[0]!;
      value.dispose();
      perClass.push({ cls, grads });
    }
    for (const [name, v] of vars) {
      tf.tidy(() => {
        let g: tf.Tensor | undefined;
        let allowed: tf.Tensor | undefined;
        for (const { cls, grads } of perClass) {
          const m = masks[cls].get(name)!;
          const term = tf.mul(grads[v.name]!, m);
          g = g ? tf.add(g, term) : term;
          // sign(|m|) rather than cast(notEqual): tfjs's bool->float cast can keep integer storage.
          const ok = tf.sign(tf.abs(m));
          allowed = allowed ? tf.maximum(allowed, ok) : ok;
        }
        combined[name] = tf.keep(g!);
        updateMasks[name] = tf.keep(allowed!);
      });
    }
    for (const { grads } of perClass) tf.dispose(Object.values(grads));
    await optimizer.step(combined, updateMasks);
    return { loss: lossValue };
  } finally {
    tf.dispose([isForget, isRetain, ...Object.values(combined), ...Object.values(updateMasks)]);
  }
}

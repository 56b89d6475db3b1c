// One training step under a routing plan. The model's forward pass is the caller's (`unitLosses`); this
// function attaches the plan's hooks, takes gradients, and applies them through the masked optimiser.
import { route, tf, withHooks, withParameterRouting } from '@routelab/core';
import type { HookSpec, MaskedOptimizer, Module, ParameterClassMasks } from '@routelab/core';
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
  /**
   * Loss terms not tied to units (regularisers), added once. Under parameter routing their gradient is split
   * by unit like the main loss's wherever it passes through the model's ops.
   */
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
    const exactInOnePass = plan.parameters.split === 'unit' || oneClassPerSequence(args.labels);
    return await (exactInOnePass ? parameterRoutedStep : lossSplitStep)(args, plan, hooks, total);
  } finally {
    disposePlan(plan);
  }
}

/** Whether every sequence (row of a [batch, pos] grid; each unit of a [batch] grid) is routed as one class. */
export function oneClassPerSequence(labels: RouteLabels): boolean {
  const row = labels.shape.length >= 2 ? labels.shape.slice(1).reduce((a, b) => a * b, 1) : 1;
  const r = labels.routedAsForget;
  for (let start = 0; start < r.length; start += row) {
    for (let i = start + 1; i < start + row; i++) if (r[i] !== r[start]) return false;
  }
  return true;
}

/**
 * Parameter routing split by loss, exactly: separate gradients of the forget units' and the retain units'
 * losses (two backward passes), each masked by its class's parameter masks, summed. Regularisers (extraLoss)
 * go with the retain loss. Elements that no class present in the batch may update get update-mask 0.
 */
async function lossSplitStep<Config>(args: RoutedStepArgs<Config>, plan: MaskPlan, hooks: HookSpec[], total: number): Promise<RoutedStepResult> {
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
  const perClass: { cls: 'forget' | 'retain'; grads: Record<string, tf.Tensor> }[] = [];
  let lossValue = 0;
  try {
    for (const [cls, select] of [['forget', isForget], ['retain', isRetain]] as const) {
      if (!present[cls]) continue;
      // Only parameters this class may move need its gradient: backpropagation then skips what leads only to
      // the others (a persona arm's forget pass: everything below the first expanded MLP).
      const wanted = vars.filter(([name]) => constantOf(classMasks(masks, name)[cls]) !== 0).map(([, v]) => v);
      const loss = classLoss(select, cls === 'retain');
      if (wanted.length === 0) {
        const value = tf.tidy(loss);
        lossValue += (await value.data())[0]!;
        value.dispose();
        continue;
      }
      const { value, grads } = tf.variableGrads(loss, wanted);
      lossValue += (await value.data())[0]!;
      value.dispose();
      perClass.push({ cls, grads });
    }
    for (const [name, v] of vars) {
      const m = classMasks(masks, name);
      combined[name] = maskedSum(perClass.flatMap(({ cls, grads }) => (grads[v.name] ? [[grads[v.name]!, m[cls]] as const] : [])), v);
      const allowed = allowedValues(m, present);
      if (allowed) updateMasks[name] = tf.tensor(allowed, v.shape);
    }
    await optimizer.step(combined, updateMasks);
    return { loss: lossValue };
  } finally {
    for (const { grads } of perClass) tf.dispose(Object.values(grads));
    tf.dispose([isForget, isRetain, ...Object.values(combined), ...Object.values(updateMasks)]);
  }
}

/**
 * Parameter routing split by unit, in one backward pass: the model's parametrised ops split each parameter's gradient by
 * the class of the unit where it is used (core's withParameterRouting), so the gradients come out already
 * masked. Elements that no class present in the batch may update get update-mask 0, so the fused kernel
 * leaves them and their optimiser state exactly as they were.
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
  const present = { forget: forgetCount > 0, retain: forgetCount < labels.routedAsForget.length };
  const spec = { unitIsForget: labels.routedAsForget, masks: new Map(vars.map(([name, v]) => [v as tf.Tensor, classMasks(masks, name)] as const)) };
  const loss = () =>
    withHooks(model, hooks, () => {
      const main = weightedLoss(unitLosses(), plan.unitWeights, undefined, total);
      return extraLoss ? (tf.add(main, extraLoss()) as tf.Scalar) : main;
    });
  const { value: result, routed } = withParameterRouting(spec, () => tf.variableGrads(loss, vars.map(([, v]) => v)));
  const { value, grads } = result;
  const updateMasks: Record<string, tf.Tensor> = {};
  try {
    for (const [name, v] of vars) {
      const m = spec.masks.get(v)!;
      if (!routed.has(v) && splitMatters(m)) {
        throw new Error(`parameter routing: "${name}" reached the loss without a routing-aware op (core's linear, layerNorm, oneHotEmbed, addPositions, concatParameters, sliceParameterRows), so its gradient cannot be split by unit`);
      }
      const allowed = allowedValues(m, present);
      if (allowed) updateMasks[name] = tf.tensor(allowed, v.shape);
    }
    const byName = Object.fromEntries(vars.map(([n, v]) => [n, grads[v.name]!]));
    await optimizer.step(byName, updateMasks);
    return { loss: (await value.data())[0]! };
  } finally {
    tf.dispose([value, ...Object.values(grads), ...Object.values(updateMasks)]);
  }
}

function classMasks(masks: NonNullable<MaskPlan['parameters']>, name: string): ParameterClassMasks {
  const forget = masks.forget.get(name);
  const retain = masks.retain.get(name);
  if (!forget || !retain) throw new Error(`parameter routing: the plan has no ${forget ? 'retain' : 'forget'} mask for parameter "${name}"`);
  return { forget, retain };
}

type Cache<T> = WeakMap<Float32Array, WeakMap<Float32Array, Map<string, T>>>;

/** compute(m), remembered by the plan's mask arrays (the same arrays every step) and `key`. */
function cachedBy<T>(cache: Cache<T>, m: ParameterClassMasks, key: string, compute: () => T): T {
  let byRetain = cache.get(m.forget);
  if (!byRetain) cache.set(m.forget, (byRetain = new WeakMap()));
  let byKey = byRetain.get(m.retain);
  if (!byKey) byRetain.set(m.retain, (byKey = new Map()));
  if (!byKey.has(key)) byKey.set(key, compute());
  return byKey.get(key)!;
}

const splitCache: Cache<boolean> = new WeakMap();
const constantCache = new WeakMap<Float32Array, number | null>();

/** The one value every element of a mask holds, or null (cached by the plan's arrays). */
function constantOf(mask: Float32Array): number | null {
  let c = constantCache.get(mask);
  if (c === undefined) constantCache.set(mask, (c = mask.length > 0 && mask.every((x) => x === mask[0]) ? mask[0]! : null));
  return c;
}

/**
 * sum over classes of mask * gradient, without an op where a mask is one number: a class whose mask is all 0
 * adds nothing, all 1 adds its gradient as it is (a persona arm's parameters are each forget-only or
 * retain-only, so most sums are one gradient passed through). May return one of the inputs.
 */
function maskedSum(terms: readonly (readonly [tf.Tensor, Float32Array])[], v: tf.Variable): tf.Tensor {
  return tf.tidy(() => {
    const parts = terms.flatMap(([g, mask]) => {
      const k = constantOf(mask);
      if (k === 0) return [];
      return [k === 1 ? g : k !== null ? tf.mul(g, k) : tf.mul(g, tf.tensor(mask, v.shape))];
    });
    if (parts.length === 0) return tf.zerosLike(v);
    return parts.reduce((a, b) => tf.add(a, b));
  });
}
const allowedCache: Cache<Float32Array | null> = new WeakMap();

/** Whether the classes' masks differ anywhere (if not, the gradient needs no split). */
function splitMatters(m: ParameterClassMasks): boolean {
  return cachedBy(splitCache, m, '', () => m.forget.some((v, i) => v !== m.retain[i]));
}

/** 1 where some class present in the batch may update the element, else 0; null when every element may be. */
function allowedValues(m: ParameterClassMasks, present: { forget: boolean; retain: boolean }): Float32Array | null {
  return cachedBy(allowedCache, m, `${present.forget},${present.retain}`, () => {
    const out = Float32Array.from(m.forget, (f, i) => ((present.forget && f !== 0) || (present.retain && m.retain[i] !== 0) ? 1 : 0));
    return out.every((v) => v === 1) ? null : out;
  });
}

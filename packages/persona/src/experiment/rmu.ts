// RMU (Representation Misdirection for Unlearning; Li et al. 2024, the WMDP paper), the post-hoc unlearning
// baseline of the gradient routing and SGTM papers: after plain training, push the residual stream at one
// block on the labelled U tokens toward a fixed random direction (scaled by `coefficient`), while keeping it
// where a frozen copy of the trained model has it on the other trained tokens; only the parameters named by
// `params` move. Per token, as routing is: a position is forget when its target is a U token of an example the
// overseer labelled.
import { MaskedAdamW, tf, withHooks, type Rng } from '@routelab/core';
import type { Module } from '@routelab/core';
import { expandPattern } from '@routelab/routing';
import { z } from 'zod';
import { disposeBatch, makeBatch } from '../model/batch.ts';
import { cloneModel } from '../model/copy.ts';
import type { Transformer } from '../model/transformer.ts';
import type { Example } from '../world/datasets.ts';
import { BatchOrder } from './data.ts';
import { tokenRouteLabels } from './routing.ts';

export const rmuSchema = z.strictObject({
  /** The block whose output (`blocks.<layer>.resid_post`) is misdirected. */
  layer: z.int().min(0).default(0),
  /** Parameter-name patterns that RMU updates (default: that block's MLP). */
  params: z.array(z.string().min(1)).optional(),
  steps: z.int().min(1).default(40),
  /** Length of the random target direction, as a multiple of the mean residual norm on forget tokens. */
  coefficient: z.number().positive().default(4),
  /** Weight of keeping the retain tokens' activations. */
  alpha: z.number().min(0).default(1),
  lr: z.number().positive().max(1).default(1e-3),
});
export type RmuConfig = z.output<typeof rmuSchema>;

export interface RmuSummary {
  steps: number;
  /** Mean squared distance to the target on forget tokens, and to the frozen activations on retain tokens, at the last step. */
  forgetDistance: number;
  retainDrift: number;
}

/** Runs RMU on `model` in place, on batches of the arm's own (labelled) training examples. */
export async function rmuUnlearn(model: Transformer, examples: readonly Example[], config: RmuConfig, rng: Rng, batchSize: number): Promise<RmuSummary> {
  const hook = `blocks.${config.layer}.resid_post`;
  model.hookPoint(hook); // throws listing the hook points when the layer does not exist
  const names = model.namedParameters().map(([n]) => n);
  const chosen = new Set((config.params ?? [`blocks.${config.layer}.mlp.*`]).flatMap((p) => expandPattern(p, names, 'parameter')));
  const frozen = cloneModel(model);
  const optimizer = new MaskedAdamW(model.namedParameters().filter(([n]) => chosen.has(n)), { lr: config.lr, weightDecay: 0 });
  const dModel = model.config.dModel;
  const direction = tf.tidy(() => {
    const u = tf.tensor1d(Float32Array.from({ length: dModel }, () => rng.uniform() - 0.5));
    return tf.keep(tf.div(u, tf.norm(u)));
  });
  const order = new BatchOrder(rng.split('batches'), examples.map((e) => e.tokens.length), batchSize, 1);
  const capture = (m: Module, inputs: tf.Tensor, use: (x: tf.Tensor) => tf.Tensor): tf.Tensor => {
    let out: tf.Tensor | undefined;
    const logits = withHooks(m, [[hook, (x: tf.Tensor) => ((out = tf.keep(use(x))), x)]], () => (m as Transformer).forward(inputs));
    logits.dispose();
    return out!;
  };
  let last = { forgetDistance: Number.NaN, retainDrift: Number.NaN };
  let scale: number | undefined;
  try {
    for (let step = 0; step < config.steps; step++) {
      const batch = makeBatch(order.indices(step).map((i) => examples[i]!), model.config.maxLen, { width: 'longest' });
      const labels = tokenRouteLabels(batch);
      const forget = tf.tensor(Float32Array.from(labels.routedAsForget), [...batch.shape, 1]);
      const retain = tf.tensor(Float32Array.from(labels.routedAsForget, (f, i) => (f === 0 && batch.lossMaskValues[i] === 1 ? 1 : 0)), [...batch.shape, 1]);
      const target = capture(frozen, batch.inputs, (x) => x);
      try {
        const nForget = labels.routedAsForget.reduce((a, b) => a + b, 0);
        const nRetain = (await tf.sum(retain).data())[0]!;
        if (nForget === 0) continue;
        // The target's length: `coefficient` times the frozen model's mean residual norm on forget tokens (fixed at the first batch).
        scale ??= config.coefficient * ((await tf.tidy(() => tf.div(tf.sum(tf.mul(tf.norm(target, 2, -1, true), forget)), nForget)).data())[0]!);
        const goal = tf.mul(direction, scale);
        const parts: { forget?: tf.Tensor; retain?: tf.Tensor } = {};
        const loss = () =>
          capture(model, batch.inputs, (h) => {
            const f = tf.div(tf.sum(tf.mul(tf.mean(tf.square(tf.sub(h, goal)), -1, true), forget)), nForget);
            const r = nRetain > 0 ? tf.div(tf.sum(tf.mul(tf.mean(tf.square(tf.sub(h, target)), -1, true), retain)), nRetain) : tf.scalar(0);
            parts.forget = tf.keep(f.clone());
            parts.retain = tf.keep(r.clone());
            return tf.add(f, tf.mul(r, config.alpha));
          }) as tf.Scalar;
        await optimizer.minimize(loss);
        last = { forgetDistance: (await parts.forget!.data())[0]!, retainDrift: (await parts.retain!.data())[0]! };
        tf.dispose([goal, parts.forget!, parts.retain!]);
      } finally {
        tf.dispose([forget, retain, target]);
        disposeBatch(batch);
      }
    }
  } finally {
    optimizer.dispose();
    frozen.dispose();
    direction.dispose();
  }
  return { steps: config.steps, ...last };
}

// Next-token cross entropy, per target token, so routing can weight or split the loss by the target's labels.
import { tf } from '@routelab/core';
import type { LmBatch } from './batch.ts';
import { oneHotFloat } from './one_hot.ts';
import type { Transformer } from './transformer.ts';

/**
 * Cross entropy of rows of logits against one-hot targets, with the gradient written out
 * (softmax - onehot) instead of autodiff through logSumExp's max/exp/log chain.
 */
function crossEntropyRows(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Tensor1D {
  const fn = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const shifted = tf.sub(x, tf.max(x, 1, true));
    const exp = tf.exp(shifted);
    const sumExp = tf.sum(exp, 1, true);
    const probs = tf.div(exp, sumExp);
    // Everything the gradient reads must go through save(): tensors merely captured by the closure are
    // disposed by the enclosing tidy before the backward pass runs.
    save([probs, oneHot]);
    const loss = tf.sub(tf.log(tf.reshape(sumExp, [-1])), tf.sum(tf.mul(shifted, oneHot), 1));
    return {
      value: loss,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(tf.reshape(dy, [-1, 1]), tf.sub(saved[0]!, saved[1]!)),
    };
  }) as (x: tf.Tensor) => tf.Tensor;
  return fn(logits) as tf.Tensor1D;
}

export interface TokenLosses {
  /** float32 [batch, width]: cross entropy of each target token; exactly 0 where lossMask is 0. */
  losses: tf.Tensor2D;
  /** The batch's lossMask (not a copy: owned by the batch, do not dispose). */
  mask: tf.Tensor2D;
}

/** Per-target-token losses. Differentiable: call inside tf.variableGrads (hooks attached with withHooks apply). */
export function tokenLosses(model: Transformer, batch: LmBatch): TokenLosses {
  const [rows, width] = batch.shape;
  const vocab = model.config.vocabSize;
  const losses = tf.tidy(() => {
    const logits = tf.reshape(model.forward(batch.inputs), [rows * width, vocab]) as tf.Tensor2D;
    const oneHot = oneHotFloat(tf.reshape(batch.targets, [rows * width]) as tf.Tensor1D, vocab);
    const perToken = crossEntropyRows(logits, oneHot);
    return tf.mul(tf.reshape(perToken, [rows, width]), batch.lossMask) as tf.Tensor2D;
  });
  return { losses, mask: batch.lossMask };
}

/** Mean cross entropy over the batch's target tokens (sum of losses / number of masked-in tokens). */
export function meanLoss(model: Transformer, batch: LmBatch): tf.Scalar {
  return tf.tidy(() => tf.div(tf.sum(tokenLosses(model, batch).losses), Math.max(batch.tokenCount, 1)) as tf.Scalar);
}

// Next-token cross entropy, per target token, so routing can weight or split the loss by the target's labels.
import { crossEntropy, reshapeWithoutSaving, tf } from '@routelab/core';
import type { LmBatch } from './batch.ts';
import type { Transformer } from './transformer.ts';

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
    const logits = reshapeWithoutSaving(model.forward(batch.inputs), [rows * width, vocab]) as tf.Tensor2D;
    // Core's op: one fused kernel each way where the backend has it (gradient softmax - onehot, written out).
    const perToken = crossEntropy(logits, tf.reshape(batch.targets, [rows * width]) as tf.Tensor1D);
    return tf.mul(tf.reshape(perToken, [rows, width]), batch.lossMask) as tf.Tensor2D;
  });
  return { losses, mask: batch.lossMask };
}

/** Mean cross entropy over the batch's target tokens (sum of losses / number of masked-in tokens). */
export function meanLoss(model: Transformer, batch: LmBatch): tf.Scalar {
  return tf.tidy(() => tf.div(tf.sum(tokenLosses(model, batch).losses), Math.max(batch.tokenCount, 1)) as tf.Scalar);
}

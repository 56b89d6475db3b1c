// The split autoencoder's loss terms. Reconstruction is per example (the routed step weights and routes it
// per unit); the two code regularisers are batch-level terms on the un-routed code, as in the paper's code,
// so their gradient reaches every code dimension whatever the example's label. That is what makes the
// split: for digits routed to half a, only the L1 penalty acts on half b and drives it to zero.
import { tf } from '@routelab/core';

/** Per-example mean absolute pixel error: [batch, pixels] x2 -> [batch]. */
export function reconstructionMae(reconstruction: tf.Tensor, target: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(reconstruction, target)), 1));
}

export const RECONSTRUCTION_LOSSES = ['mse', 'bce', 'mae'] as const;
export type ReconstructionLoss = (typeof RECONSTRUCTION_LOSSES)[number];

/** A decoder's output: logits, and pixels = sigmoid(logits). */
export interface DecodedPixels {
  logits: tf.Tensor;
  reconstruction: tf.Tensor;
}

/**
 * The per-example training loss of a kind: mse and mae on the pixels, bce (binary cross-entropy,
 * softplus(l) - x l) on the logits. Evaluation always reports MAE, the paper's metric.
 */
export function reconstructionLoss(kind: ReconstructionLoss): (decoded: DecodedPixels, target: tf.Tensor) => tf.Tensor {
  switch (kind) {
    case 'mse':
      return ({ reconstruction }, target) => tf.tidy(() => tf.mean(tf.square(tf.sub(reconstruction, target)), 1));
    case 'bce':
      return ({ logits }, target) => tf.tidy(() => tf.mean(tf.sub(tf.softplus(logits), tf.mul(logits, target)), 1));
    case 'mae':
      return ({ reconstruction }, target) => reconstructionMae(reconstruction, target);
  }
}

/**
 * L1 penalty on the code: the mean |code| over the batch, summed over dimensions (the paper's
 * `encoding.abs().mean(dim=0).sum()`, taken over both halves at once).
 */
export function codeL1Penalty(code: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.mean(tf.abs(code), 0)) as tf.Scalar);
}

/**
 * Correlation penalty between the halves of the code: each dimension is standardised over the batch, the
 * [d/2, d/2] cross-correlation matrix between half a and half b is formed, and the penalty is the mean of
 * its absolute entries (the paper's choice; 0 when the halves are uncorrelated, 1 when every pair is
 * perfectly (anti-)correlated). `eps` is added to each variance, so a dimension that is constant over the
 * batch (a dead unit) contributes zero correlation instead of 0/0.
 */
export function halfCorrelationPenalty(code: tf.Tensor, eps = 1e-6): tf.Scalar {
  const [batch, dims] = code.shape as [number, number];
  if (dims % 2 !== 0) throw new RangeError(`halfCorrelationPenalty: code width ${dims} is odd`);
  const half = dims / 2;
  return tf.tidy(() => {
    const centred = tf.sub(code, tf.mean(code, 0));
    // eps inside the root: sqrt's gradient at a zero variance would be infinite (NaN after the product).
    const std = tf.sqrt(tf.add(tf.mean(tf.square(centred), 0), eps));
    const z = tf.div(centred, std) as tf.Tensor2D;
    const a = tf.slice(z, [0, 0], [batch, half]) as tf.Tensor2D;
    const b = tf.slice(z, [0, half], [batch, half]) as tf.Tensor2D;
    const corr = tf.div(tf.matMul(a, b, true, false), batch);
    return tf.mean(tf.abs(corr)) as tf.Scalar;
  });
}

export interface PenaltyWeights {
  l1Weight: number;
  corrWeight: number;
}

/** l1Weight * L1 + corrWeight * correlation; terms with weight 0 are not computed (no wasted backprop). */
export function codePenalty(code: tf.Tensor, weights: PenaltyWeights): tf.Scalar {
  return tf.tidy(() => {
    let total: tf.Scalar = tf.scalar(0);
    if (weights.l1Weight !== 0) total = tf.add(total, tf.mul(codeL1Penalty(code), weights.l1Weight));
    if (weights.corrWeight !== 0) total = tf.add(total, tf.mul(halfCorrelationPenalty(code), weights.corrWeight));
    return total;
  });
}

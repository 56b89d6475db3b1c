import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradients scaled by min(1, maxNorm / (globalNorm + 1e-6)), where globalNorm is the L2 norm over all of
 * them together. Computed on the device: nothing is read back, so clipping does not stall the step's queue.
 * Returns new tensors (the caller disposes them); the inputs are left as they are.
 */
export function clipByGlobalNorm(grads: ReadonlyMap<string, tf.Tensor>, maxNorm: number): Map<string, tf.Tensor> {
  if (grads.size === 0) return new Map();
  const scale = tf.tidy(() => {
    const norm = tf.sqrt(tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g)))));
    return tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
  });
  try {
    return new Map([...grads].map(([name, g]) => [name, tf.mul(g, scale)]));
  } finally {
    scale.dispose();
  }
}

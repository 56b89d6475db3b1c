// Copies of a model's weights: a second model of the same config (a frozen reference, the deployed model
// beside the trained one), or one model's values into another. The copies own their buffers: tfjs shares a
// buffer between a variable and the tensor it was assigned, and the optimiser's kernels write in place.
import { Rng, tf } from '@routelab/core';
import { Transformer } from './transformer.ts';

/** The model's parameter values as new tensors, by name (the caller disposes them). */
export function parameterValues(model: Transformer): Record<string, tf.Tensor> {
  return tf.tidy(() => Object.fromEntries(model.namedParameters().map(([n, v]) => [n, tf.add(v, 0)])));
}

/** Copies `from`'s parameter values into `to` (same config). */
export function copyWeights(from: Transformer, to: Transformer): void {
  const values = parameterValues(from);
  try {
    to.loadStateDict(values);
  } finally {
    tf.dispose(Object.values(values));
  }
}

/** A new model with the same config and the same weights. */
export function cloneModel(source: Transformer): Transformer {
  const model = new Transformer(source.config, Rng.fromSeed('copy'));
  copyWeights(source, model);
  return model;
}

// tf.reshape and a same-shape tf.add whose gradients keep nothing of their inputs. tfjs records the inputs of
// both for the backward pass only to know their shapes, and saving means cloning, which tfjs's wasm backend
// does by copying the data: in a training step of the persona model (full, batch 32) reshapes and residual
// adds were 43 of the ~83 MB copied for the backward pass. Here the shapes are kept as numbers instead.
// Outside a gradient recording each is the tfjs op itself.
import * as tf from '@tensorflow/tfjs-core';
import { customOp, recordingGradients } from './availability.ts';

export function reshapeWithoutSaving<R extends tf.Rank>(x: tf.Tensor, shape: number[]): tf.Tensor<R> {
  if (!recordingGradients()) return tf.reshape(x, shape as tf.ShapeMap[R]);
  const inputShape = x.shape;
  const op = customOp((...args) => ({
    value: tf.reshape(args[0] as tf.Tensor, shape),
    gradFunc: (dy) => tf.reshape(dy, inputShape),
  }));
  return op(x) as tf.Tensor<R>;
}

/** a + b for tensors of one shape (a residual connection); the gradient passes dy to both. */
export function addWithoutSaving<T extends tf.Tensor>(a: T, b: tf.Tensor): T {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new RangeError(`addWithoutSaving: a [${a.shape.join(', ')}] and b [${b.shape.join(', ')}] must have one shape (no broadcasting)`);
  }
  if (!recordingGradients()) return tf.add(a, b);
  const op = customOp((...args) => ({
    value: tf.add(args[0] as tf.Tensor, args[1] as tf.Tensor),
    // Two tensor objects over dy's data (a reshape shares it): the engine disposes each gradient on its own.
    gradFunc: (dy) => [tf.reshape(dy, dy.shape), tf.reshape(dy, dy.shape)],
  }));
  return op(a, b) as T;
}

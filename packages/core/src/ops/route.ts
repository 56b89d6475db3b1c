// route(x, mask): the identity in the forward pass, `mask * dy` in the backward pass. It is gradient
// routing's `m * x + (1 - m) * stopGradient(x)` written as one op with its own gradient, so routing costs a
// single elementwise multiply in backprop. `mask` broadcasts against x (e.g. [batch, pos, 1] per token, or
// [d] per unit); it may be soft (0..1) or negative (scaled gradient ascent). The mask gets no gradient.
import * as tf from '@tensorflow/tfjs-core';

export function route<T extends tf.Tensor>(x: T, mask: tf.Tensor | number): T {
  if (mask === 1) return x;
  const routed = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([]);
    return {
      // clone: customGrad's output must be a distinct tensor; it shares x's buffer, so it is free.
      value: tf.clone(input),
      gradFunc: (dy: tf.Tensor) => tf.mul(dy, mask),
    };
  });
  return routed(x) as T;
}

/** stopGradient(x): identity forward, zero gradient. TF.js has no such op; customGrad gives one. */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const stopped = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([]);
    return { value: tf.clone(input), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
  });
  return stopped(x) as T;
}

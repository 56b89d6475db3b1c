// The masked updates composed from ordinary tfjs ops. This is the fallback on backends without a fused
// kernel (the native tensorflow backend) and the baseline the fused kernels are benchmarked against.
// Pure: returns new tensors and leaves its inputs alone.
import * as tf from '@tensorflow/tfjs-core';
import type { MaskedAdamWAttrs, MaskedSGDAttrs } from '../kernels/kernel_names.ts';

export function composedMaskedAdamW(
  param: tf.Tensor,
  grad: tf.Tensor,
  mask: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  attrs: MaskedAdamWAttrs,
): { param: tf.Tensor; m: tf.Tensor; v: tf.Tensor } {
  const { lr, beta1, beta2, eps, weightDecay, step } = attrs;
  return tf.tidy(() => {
    const active = tf.notEqual(mask, 0);
    const g = tf.mul(mask, grad);
    const mNew = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
    const vNew = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
    const mHat = tf.div(mNew, 1 - Math.pow(beta1, step));
    const vHat = tf.div(vNew, 1 - Math.pow(beta2, step));
    const update = tf.add(tf.div(mHat, tf.add(tf.sqrt(vHat), eps)), tf.mul(param, weightDecay));
    const pNew = tf.sub(param, tf.mul(update, lr));
    // where() keeps masked-out elements bit-exactly as they were.
    return { param: tf.where(active, pNew, param), m: tf.where(active, mNew, m), v: tf.where(active, vNew, v) };
  });
}

export function composedMaskedSGD(
  param: tf.Tensor,
  grad: tf.Tensor,
  mask: tf.Tensor,
  buf: tf.Tensor,
  attrs: MaskedSGDAttrs,
): { param: tf.Tensor; buf: tf.Tensor } {
  const { lr, momentum, weightDecay, nesterov } = attrs;
  return tf.tidy(() => {
    const active = tf.notEqual(mask, 0);
    const g = tf.add(tf.mul(mask, grad), tf.mul(param, weightDecay));
    const bNew = tf.add(tf.mul(buf, momentum), g);
    const step = nesterov ? tf.add(g, tf.mul(bNew, momentum)) : bNew;
    const pNew = tf.sub(param, tf.mul(step, lr));
    return { param: tf.where(active, pNew, param), buf: tf.where(active, bNew, buf) };
  });
}

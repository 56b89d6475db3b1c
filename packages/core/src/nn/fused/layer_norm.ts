// Layer norm over the last axis with gain and bias: y = (x - mean) / sqrt(var + eps) * gamma + beta.
// Fused: one kernel forward (which also keeps each row's mean and 1/std) and one backward giving dx, dgamma
// and dbeta, where the composite takes about eight tfjs ops forward and twenty backward.
import * as tf from '@tensorflow/tfjs-core';
import { FusedLayerNorm, FusedLayerNormGrad } from '../../kernels/kernel_names.ts';
import { customOp, fusedKernelsAvailable, runKernel } from './availability.ts';

/** The same computation in tfjs ops (autodiff gradient). */
export function composedLayerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const axis = x.rank - 1;
    const centred = tf.sub(x, tf.mean(x, axis, true));
    const variance = tf.mean(tf.square(centred), axis, true);
    const normalized = tf.mul(centred, tf.rsqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(normalized, gamma), beta);
  });
}

/** x [..., d], gamma [d], beta [d] -> [..., d] */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  if (!fusedKernelsAvailable()) return composedLayerNorm(x, gamma, beta, eps);
  const op = customOp((...args) => {
    const [xi, g, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [y, mean, rstd] = runKernel(FusedLayerNorm, { x: xi, gamma: g, beta: b }, { eps }) as [tf.Tensor, tf.Tensor, tf.Tensor];
    save([xi, g, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy, saved) => {
        const [sx, sg, sm, sr] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return runKernel(FusedLayerNormGrad, { dy, x: sx, gamma: sg, mean: sm, rstd: sr });
      },
    };
  });
  return op(x, gamma, beta);
}

// Exact GELU, x * Phi(x), with its gradient written out (Phi(x) + x * phi(x)). Fused: one kernel each way
// over the whole [rows, units] activation; composite: erf and a handful of elementwise ops, with the
// hand-written gradient (half the ops of autodiff through erf).
import * as tf from '@tensorflow/tfjs-core';
import { FusedGelu, FusedGeluGrad } from '../../kernels/kernel_names.ts';
import { customOp, fusedKernelsAvailable, recordingGradients, runKernel } from './availability.ts';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

const composed = customOp((...args) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const cdf = tf.mul(tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1), 0.5);
  save([x, cdf]);
  return {
    value: tf.mul(x, cdf),
    gradFunc: (dy, saved) => {
      const [input, phi] = saved as [tf.Tensor, tf.Tensor];
      const pdf = tf.mul(tf.exp(tf.mul(tf.square(input), -0.5)), INV_SQRT_2PI);
      return tf.mul(dy, tf.add(phi, tf.mul(input, pdf)));
    },
  };
});

const fused = customOp((...args) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([x]);
  return {
    value: runKernel(FusedGelu, { x })[0]!,
    gradFunc: (dy, saved) => runKernel(FusedGeluGrad, { dy, x: saved[0]! })[0]!,
  };
});

/** The composite (tfjs ops) GELU, whatever the backend. */
export function composedGelu(x: tf.Tensor): tf.Tensor {
  return composed(x);
}

export function gelu(x: tf.Tensor): tf.Tensor {
  if (!fusedKernelsAvailable()) return composed(x);
  return recordingGradients() ? fused(x) : runKernel(FusedGelu, { x })[0]!;
}

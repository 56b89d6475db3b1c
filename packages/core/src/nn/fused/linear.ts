// x w + bias as one op. Fused: the bias is written into the output and the product accumulated onto it in
// one native call, instead of a product and a broadcasting add (tfjs-wasm's broadcasting add is a slow loop).
// The gradient is written out as two products and a column sum, which the wasm backend sends to the native
// GEMM too.
import * as tf from '@tensorflow/tfjs-core';
import { FusedLinear } from '../../kernels/kernel_names.ts';
import { customOp, fusedKernelsAvailable, runKernel } from './availability.ts';

const withBias = customOp((...args) => {
  const [x, w, bias, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: runKernel(FusedLinear, { x, w, bias })[0]!,
    gradFunc: (dy, saved) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, sw, false, true), tf.matMul(sx, dy as tf.Tensor2D, true, false), tf.sum(dy, 0)];
    },
  };
});

const withoutBias = customOp((...args) => {
  const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: runKernel(FusedLinear, { x, w })[0]!,
    gradFunc: (dy, saved) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, sw, false, true), tf.matMul(sx, dy as tf.Tensor2D, true, false)];
    },
  };
});

/** x [M, K], w [K, N], bias [N] (optional) -> [M, N] */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, bias?: tf.Tensor): tf.Tensor2D {
  if (!fusedKernelsAvailable() || x.dtype !== 'float32') {
    const product = tf.matMul(x, w);
    return (bias ? tf.add(product, bias) : product) as tf.Tensor2D;
  }
  return (bias ? withBias(x, w, bias) : withoutBias(x, w)) as tf.Tensor2D;
}

// x w + bias as one op. Fused: the bias is written into the output and the product accumulated onto it in
// one native call, instead of a product and a broadcasting add (tfjs-wasm's broadcasting add is a slow loop).
// The gradient is written out as two products and a column sum, which the wasm backend sends to the native
// GEMM too.
import * as tf from '@tensorflow/tfjs-core';
import { FusedLinear, FusedRowWeightedMatMul } from '../../kernels/kernel_names.ts';
import { checkRoutedRows, parameterRoute, routedGradient, weightedColumnSum, type ParameterRoute } from '../parameter_routing.ts';
import { customOp, fusedKernelsAvailable, recordingGradients, rowWeightedKernelsAvailable, runKernel } from './availability.ts';

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

/**
 * Under parameter routing (nn/parameter_routing.ts): the same forward, with the weight and bias gradients
 * split by the class of each input row.
 */
function routedLinear(x: tf.Tensor2D, w: tf.Tensor2D, bias: tf.Tensor | undefined, wRoute: ParameterRoute | undefined, bRoute: ParameterRoute | undefined): tf.Tensor2D {
  checkRoutedRows('linear', x.shape[0]);
  const fused = fusedKernelsAvailable() && x.dtype === 'float32';
  const forward = (xi: tf.Tensor2D, wi: tf.Tensor2D, bi?: tf.Tensor) =>
    fused ? runKernel(FusedLinear, bi ? { x: xi, w: wi, bias: bi } : { x: xi, w: wi })[0]! : bi ? tf.add(tf.matMul(xi, wi), bi) : tf.matMul(xi, wi);
  const weightGrad = (sx: tf.Tensor2D, dy: tf.Tensor2D) => {
    const contract = (g: tf.Tensor2D) => tf.matMul(sx, g, true, false);
    // A row weighting goes on the narrower of x and g (x^T (w g) = (w x)^T g).
    const weighted = (g: tf.Tensor2D, w: tf.Tensor2D) => {
      if (w.shape[1] !== 1) return contract(tf.mul(g, w) as tf.Tensor2D);
      // One native call (x^T diag(w) g) where the module has it.
      if (fused && rowWeightedKernelsAvailable()) return runKernel(FusedRowWeightedMatMul, { x: sx, g, w })[0]!;
      return sx.shape[1] < g.shape[1] ? tf.matMul(tf.mul(sx, w) as tf.Tensor2D, g, true, false) : contract(tf.mul(g, w) as tf.Tensor2D);
    };
    return wRoute ? routedGradient(wRoute, dy, contract, weighted) : contract(dy);
  };
  const biasGrad = (dy: tf.Tensor2D) => (bRoute ? routedGradient(bRoute, dy, (g) => tf.sum(g, 0), weightedColumnSum) : tf.sum(dy, 0));
  const op = customOp((...args) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [xi, wi, bi] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor | undefined];
    save([xi, wi]);
    return {
      value: forward(xi, wi, bi),
      gradFunc: (dy, saved) => {
        const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
        const d = dy as tf.Tensor2D;
        const grads = [tf.matMul(d, sw, false, true), weightGrad(sx, d)];
        return bi ? [...grads, biasGrad(d)] : grads;
      },
    };
  });
  return (bias ? op(x, w, bias) : op(x, w)) as tf.Tensor2D;
}

/** x [M, K], w [K, N], bias [N] (optional) -> [M, N] */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, bias?: tf.Tensor): tf.Tensor2D {
  const wRoute = parameterRoute(w);
  const bRoute = parameterRoute(bias);
  if (wRoute || bRoute) return routedLinear(x, w, bias, wRoute, bRoute);
  if (!fusedKernelsAvailable() || x.dtype !== 'float32') {
    const product = tf.matMul(x, w);
    return (bias ? tf.add(product, bias) : product) as tf.Tensor2D;
  }
  if (!recordingGradients()) return runKernel(FusedLinear, bias ? { x, w, bias } : { x, w })[0] as tf.Tensor2D;
  return (bias ? withBias(x, w, bias) : withoutBias(x, w)) as tf.Tensor2D;
}

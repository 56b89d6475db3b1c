// Layer norm over the last axis with gain and bias: y = (x - mean) / sqrt(var + eps) * gamma + beta.
// Fused: one kernel forward (which also keeps each row's mean and 1/std) and one backward giving dx, dgamma
// and dbeta, where the composite takes about eight tfjs ops forward and twenty backward.
import * as tf from '@tensorflow/tfjs-core';
import { FusedLayerNorm, FusedLayerNormGrad, FusedLayerNormGradWeighted } from '../../kernels/kernel_names.ts';
import { checkRoutedRows, parameterRoute, routedGradient, sameRowWeighting, uniformRowWeight, weightedColumnSum, type ParameterRoute } from '../parameter_routing.ts';
import { customOp, fusedKernelsAvailable, recordingGradients, rowWeightedKernelsAvailable, runKernel } from './availability.ts';

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

/** Per-row mean and 1/std of x [..., d] as [rows] (what the fused kernel keeps for its gradient). */
function rowStats(x: tf.Tensor, eps: number): [tf.Tensor, tf.Tensor] {
  const rows = tf.reshape(x, [-1, x.shape[x.rank - 1]!]);
  const { mean, variance } = tf.moments(rows, 1);
  return [mean, tf.rsqrt(tf.add(variance, eps))];
}

/** [dx, dgamma, dbeta] of layer norm in tfjs ops: dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)). */
function composedLayerNormGrad(dy: tf.Tensor2D, x: tf.Tensor2D, gamma: tf.Tensor, mean: tf.Tensor, rstd: tf.Tensor): tf.Tensor[] {
  const xhat = tf.mul(tf.sub(x, tf.reshape(mean, [-1, 1])), tf.reshape(rstd, [-1, 1]));
  const dxhat = tf.mul(dy, gamma);
  const dx = tf.mul(tf.sub(tf.sub(dxhat, tf.mean(dxhat, 1, true)), tf.mul(xhat, tf.mean(tf.mul(dxhat, xhat), 1, true))), tf.reshape(rstd, [-1, 1]));
  return [dx, tf.sum(tf.mul(dy, xhat), 0), tf.sum(dy, 0)];
}

/**
 * Under parameter routing (nn/parameter_routing.ts): gamma's and beta's gradients split by the class of
 * each row; one weighted pass of the gradient kernel where both split alike (the usual case).
 */
function routedLayerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number, gRoute: ParameterRoute | undefined, bRoute: ParameterRoute | undefined): tf.Tensor {
  const d = x.shape[x.rank - 1]!;
  checkRoutedRows('layerNorm', x.size / d);
  const fused = fusedKernelsAvailable();
  const grad = (dy: tf.Tensor2D, sx: tf.Tensor2D, sg: tf.Tensor, sm: tf.Tensor, sr: tf.Tensor) =>
    fused ? runKernel(FusedLayerNormGrad, { dy, x: sx, gamma: sg, mean: sm, rstd: sr }) : composedLayerNormGrad(dy, sx, sg, sm, sr);
  const op = customOp((...args) => {
    const [xi, g, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    let y: tf.Tensor;
    let mean: tf.Tensor;
    let rstd: tf.Tensor;
    if (fused) [y, mean, rstd] = runKernel(FusedLayerNorm, { x: xi, gamma: g, beta: b }, { eps }) as [tf.Tensor, tf.Tensor, tf.Tensor];
    else {
      [mean, rstd] = rowStats(xi, eps);
      const rows = tf.reshape(xi, [-1, d]);
      y = tf.reshape(tf.add(tf.mul(tf.mul(tf.sub(rows, tf.reshape(mean, [-1, 1])), tf.reshape(rstd, [-1, 1])), g), b), xi.shape);
    }
    save([xi, g, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy, saved) => {
        const [sx, sg, sm, sr] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        // Gain and bias split alike by one number per class (the usual case): one native pass gives dx and
        // their row-weighted gradients together.
        const w = gRoute && bRoute && sameRowWeighting(gRoute, bRoute) ? uniformRowWeight(gRoute) : undefined;
        if (fused && w !== undefined && rowWeightedKernelsAvailable()) {
          if (typeof w !== 'number') return runKernel(FusedLayerNormGradWeighted, { dy, x: sx, gamma: sg, mean: sm, rstd: sr, rowWeight: w });
          const [dx, dg, db] = runKernel(FusedLayerNormGrad, { dy, x: sx, gamma: sg, mean: sm, rstd: sr }) as [tf.Tensor, tf.Tensor, tf.Tensor];
          return w === 1 ? [dx, dg, db] : [dx, tf.mul(dg, w), tf.mul(db, w)];
        }
        const [dy2, x2] = [tf.reshape(dy, [-1, d]) as tf.Tensor2D, tf.reshape(sx, [-1, d]) as tf.Tensor2D];
        const [dx, dgPlain, dbPlain] = grad(dy2, x2, sg, sm, sr) as [tf.Tensor, tf.Tensor, tf.Tensor];
        let dg = dgPlain;
        let db = dbPlain;
        if (gRoute && bRoute && sameRowWeighting(gRoute, bRoute)) {
          [dg, db] = routedGradient(gRoute, dy2, (w) => grad(w, x2, sg, sm, sr).slice(1)) as [tf.Tensor, tf.Tensor];
        } else {
          if (gRoute) dg = routedGradient(gRoute, dy2, (w) => grad(w, x2, sg, sm, sr)[1]!);
          if (bRoute) db = routedGradient(bRoute, dy2, (w) => tf.sum(w, 0), weightedColumnSum);
        }
        return [tf.reshape(dx, sx.shape), dg, db];
      },
    };
  });
  return op(x, gamma, beta);
}

/** x [..., d], gamma [d], beta [d] -> [..., d] */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const gRoute = parameterRoute(gamma);
  const bRoute = parameterRoute(beta);
  if (gRoute || bRoute) return routedLayerNorm(x, gamma, beta, eps, gRoute, bRoute);
  if (!fusedKernelsAvailable()) return composedLayerNorm(x, gamma, beta, eps);
  if (!recordingGradients()) {
    const [y, mean, rstd] = runKernel(FusedLayerNorm, { x, gamma, beta }, { eps });
    tf.dispose([mean!, rstd!]);
    return y!;
  }
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

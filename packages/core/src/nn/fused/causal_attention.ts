// Causal multi-head attention's core, softmax(q k^T * scale + causal mask) v, for all heads at once, on the
// projections' own layout ([batch, pos, heads * d_head], head h in columns h*d_head..): no transposes. Fused:
// one kernel forward (keeping the pattern for the gradient) and one backward giving dq, dk and dv; the
// composite splits heads with transposes and uses batched matMuls and tfjs's softmax.
import * as tf from '@tensorflow/tfjs-core';
import { FusedCausalAttention, FusedCausalAttentionGrad, FusedCausalAttentionQkv, FusedCausalAttentionQkvGrad } from '../../kernels/kernel_names.ts';
import { qkvAttentionKernels } from '../../kernels/wasm/native_lm.ts';
import { customOp, fusedKernelsAvailable, runKernel } from './availability.ts';

/** [len, len] additive causal mask: 0 where key <= query, -1e9 above the diagonal. */
export function additiveCausalMask(len: number): tf.Tensor2D {
  const values = new Float32Array(len * len);
  for (let q = 0; q < len; q++) for (let key = q + 1; key < len; key++) values[q * len + key] = -1e9;
  return tf.tensor2d(values, [len, len]);
}

/** The same computation in tfjs ops (autodiff gradient). */
export function composedCausalAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number, scale: number): tf.Tensor3D {
  const [batch, len, dModel] = q.shape;
  const dHead = dModel / heads;
  return tf.tidy(() => {
    const split = (t: tf.Tensor) => tf.reshape(tf.transpose(tf.reshape(t, [batch, len, heads, dHead]), [0, 2, 1, 3]), [batch * heads, len, dHead]) as tf.Tensor3D;
    const scores = tf.add(tf.mul(tf.matMul(split(q), split(k), false, true), scale), additiveCausalMask(len));
    const z = tf.matMul(tf.softmax(scores), split(v));
    return tf.reshape(tf.transpose(tf.reshape(z, [batch, heads, len, dHead]), [0, 2, 1, 3]), [batch, len, dModel]) as tf.Tensor3D;
  });
}

/** q, k, v [batch, pos, heads * d_head] -> z [batch, pos, heads * d_head] (heads side by side). */
export function causalAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number, scale: number): tf.Tensor3D {
  if (q.rank !== 3 || q.shape[2] % heads !== 0) {
    throw new RangeError(`causalAttention: q must be [batch, pos, heads * d_head] with ${heads} heads, got [${q.shape.join(', ')}]`);
  }
  if (!fusedKernelsAvailable()) return composedCausalAttention(q, k, v, heads, scale);
  const attrs = { heads, scale };
  const op = customOp((...args) => {
    const [qi, ki, vi, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [z, pattern] = runKernel(FusedCausalAttention, { q: qi, k: ki, v: vi }, attrs) as [tf.Tensor, tf.Tensor];
    save([qi, ki, vi, pattern]);
    return {
      value: z,
      gradFunc: (dz, saved) => {
        const [sq, sk, sv, sp] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return runKernel(FusedCausalAttentionGrad, { q: sq, k: sk, v: sv, pattern: sp, dz }, attrs);
      },
    };
  });
  return op(q, k, v) as tf.Tensor3D;
}

/**
 * qkv [batch, pos, 3 * heads * d_head], one joined projection with [q | k | v] per row -> z [batch, pos,
 * heads * d_head]. Fused (a module with the joined-product kernels): one kernel each way reading q, k and v in
 * place, whose gradient comes out in the product's layout, so neither a split before nor a join of dq, dk and
 * dv after (each a strided copy of the whole product). Elsewhere: split, then causalAttention.
 */
export function causalAttentionQkv(qkv: tf.Tensor3D, heads: number, scale: number): tf.Tensor3D {
  if (qkv.rank !== 3 || qkv.shape[2] % (3 * heads) !== 0) {
    throw new RangeError(`causalAttentionQkv: qkv must be [batch, pos, 3 * heads * d_head] with ${heads} heads, got [${qkv.shape.join(', ')}]`);
  }
  if (!fusedKernelsAvailable() || !qkvAttentionKernels()) {
    const [q, k, v] = tf.split(qkv, 3, 2) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
    return causalAttention(q, k, v, heads, scale);
  }
  const attrs = { heads, scale };
  const op = customOp((...args) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const [z, pattern] = runKernel(FusedCausalAttentionQkv, { qkv: x }, attrs) as [tf.Tensor, tf.Tensor];
    save([x, pattern]);
    return {
      value: z,
      gradFunc: (dz, saved) => {
        const [sx, sp] = saved as [tf.Tensor, tf.Tensor];
        return runKernel(FusedCausalAttentionQkvGrad, { qkv: sx, pattern: sp, dz }, attrs)[0]!;
      },
    };
  });
  return op(qkv) as tf.Tensor3D;
}

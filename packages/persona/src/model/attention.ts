// Causal multi-head self-attention. Heads are stored concatenated on the output axis of w_q, w_k and w_v
// (head h owns columns h*d_head .. (h+1)*d_head) and on the input axis of w_o, so the projections are plain
// 2-D matMuls of [batch*pos, d_model]; only the score and mixing products are batched, over batch*heads.
//
// The three projections run as one product with [w_q | w_k | w_v] and [b_q | b_k | b_v], joined every forward:
// one product, one weight gradient and one bias sum instead of three each (and the input's gradient is one
// product, not three summed), while the parameters keep their own names and shapes for checkpoints and
// routing patterns. The join is core's concatParameters, so under parameter routing each part's masks stay on
// its columns of the joined weight.
//
// Where the fused kernels run (core's causalAttentionQkv: wasm with the native module) and no hook is attached
// inside attention (q, k, v, scores, pattern, z), the products are fused linear ops and the core runs as
// one kernel on the joined product's [batch, pos, 3 * heads * d_head] layout, without splitting q, k, v or
// heads (a split of the product and a join of its gradient, strided copies, cost more than the two products
// they would save); otherwise the product is split and every hook point computed as below. Both paths
// compute the same function.
//
// Causality comes from an additive mask (0 on and below the diagonal, -1e9 above) that the caller passes
// in, precomputed once per sequence length. No key-padding mask is needed: batches are right-padded, so a
// real token never has a pad at or before its position, and losses at pad positions are masked out.
import { causalAttentionQkv, concatParameters, fusedKernelsAvailable, initNormal, initZeros, linear, Module, reshapeWithoutSaving, tf, type HookPoint, type Rng } from '@routelab/core';

export interface AttentionDims {
  dModel: number;
  nHeads: number;
}

export class Attention extends Module {
  readonly dHead: number;
  readonly w_q: tf.Variable; // [d_model, heads * d_head]
  readonly b_q: tf.Variable; // [heads * d_head]
  readonly w_k: tf.Variable; // [d_model, heads * d_head]
  readonly b_k: tf.Variable; // [heads * d_head]
  readonly w_v: tf.Variable; // [d_model, heads * d_head]
  readonly b_v: tf.Variable; // [heads * d_head]
  readonly w_o: tf.Variable; // [heads * d_head, d_model]
  readonly b_o: tf.Variable; // [d_model]
  /** The hook points inside attention; the fused path runs only while none has a hook attached. */
  private readonly innerHooks: HookPoint[];

  constructor(
    rng: Rng,
    readonly dims: AttentionDims,
    init: { std: number; outStd: number },
  ) {
    super();
    const { dModel, nHeads } = dims;
    this.dHead = dModel / nHeads;
    this.w_q = this.addParameter('w_q', initNormal(rng.split('w_q'), [dModel, dModel], init.std));
    this.b_q = this.addParameter('b_q', initZeros([dModel]));
    this.w_k = this.addParameter('w_k', initNormal(rng.split('w_k'), [dModel, dModel], init.std));
    this.b_k = this.addParameter('b_k', initZeros([dModel]));
    this.w_v = this.addParameter('w_v', initNormal(rng.split('w_v'), [dModel, dModel], init.std));
    this.b_v = this.addParameter('b_v', initZeros([dModel]));
    this.innerHooks = [
      this.addHookPoint('q', `[batch, ${nHeads}, pos, ${this.dHead}]`), // [batch, heads, pos, d_head]
      this.addHookPoint('k', `[batch, ${nHeads}, pos, ${this.dHead}]`), // [batch, heads, pos, d_head]
      this.addHookPoint('v', `[batch, ${nHeads}, pos, ${this.dHead}]`), // [batch, heads, pos, d_head]
      this.addHookPoint('scores', `[batch, ${nHeads}, pos, pos]`), // [batch, heads, query_pos, key_pos], scaled and masked, pre-softmax
      this.addHookPoint('pattern', `[batch, ${nHeads}, pos, pos]`), // [batch, heads, query_pos, key_pos], rows sum to 1
      this.addHookPoint('z', `[batch, ${nHeads}, pos, ${this.dHead}]`), // [batch, heads, pos, d_head], pattern @ v
    ];
    this.w_o = this.addParameter('w_o', initNormal(rng.split('w_o'), [dModel, dModel], init.outStd));
    this.b_o = this.addParameter('b_o', initZeros([dModel]));
    this.addHookPoint('out', `[batch, pos, ${dModel}]`); // [batch, pos, d_model]
  }

  /** x [rows, d_model] -> [q | k | v] [rows, 3 * heads * d_head] (heads side by side in each), one product. */
  projectQkv(x: tf.Tensor2D): tf.Tensor2D {
    const w = concatParameters([this.w_q, this.w_k, this.w_v], 1) as tf.Tensor2D;
    const b = concatParameters([this.b_q, this.b_k, this.b_v], 0);
    return linear(x, w, b);
  }

  /** x [batch, pos, d_model], causalMask [pos, pos] additive -> [batch, pos, d_model] */
  forward(x: tf.Tensor, causalMask: tf.Tensor): tf.Tensor {
    const [batch, pos, dModel] = x.shape as [number, number, number];
    const { nHeads } = this.dims;
    const dHead = this.dHead;
    const qkv = this.projectQkv(reshapeWithoutSaving(x, [batch * pos, dModel]) as tf.Tensor2D);
    if (fusedKernelsAvailable() && this.innerHooks.every((h) => h.hookCount === 0)) {
      const z = causalAttentionQkv(reshapeWithoutSaving(qkv, [batch, pos, 3 * dModel]) as tf.Tensor3D, nHeads, 1 / Math.sqrt(dHead));
      const out = linear(reshapeWithoutSaving(z, [batch * pos, dModel]) as tf.Tensor2D, this.w_o as tf.Tensor2D, this.b_o);
      return this.hook('out', reshapeWithoutSaving(out, [batch, pos, dModel]));
    }
    // [batch*pos, d_model] -> [batch, heads, pos, d_head]
    const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [batch, pos, nHeads, dHead]), [0, 2, 1, 3]);
    const [qFlat, kFlat, vFlat] = tf.split(qkv, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const q = this.hook('q', heads(qFlat));
    const k = this.hook('k', heads(kFlat));
    const v = this.hook('v', heads(vFlat));
    const rows = batch * nHeads;
    const q3 = tf.reshape(tf.mul(q, 1 / Math.sqrt(dHead)), [rows, pos, dHead]) as tf.Tensor3D;
    const k3 = tf.reshape(k, [rows, pos, dHead]) as tf.Tensor3D;
    const raw = tf.reshape(tf.matMul(q3, k3, false, true), [batch, nHeads, pos, pos]);
    const scores = this.hook('scores', tf.add(raw, causalMask));
    const pattern = this.hook('pattern', tf.softmax(scores));
    const mixed = tf.matMul(tf.reshape(pattern, [rows, pos, pos]) as tf.Tensor3D, tf.reshape(v, [rows, pos, dHead]) as tf.Tensor3D);
    const z = this.hook('z', tf.reshape(mixed, [batch, nHeads, pos, dHead]));
    const merged = tf.reshape(tf.transpose(z, [0, 2, 1, 3]), [batch * pos, dModel]) as tf.Tensor2D;
    const out = linear(merged, this.w_o as tf.Tensor2D, this.b_o);
    return this.hook('out', reshapeWithoutSaving(out, [batch, pos, dModel]));
  }
}

/** [len, len] additive causal mask: 0 where key <= query, -1e9 above the diagonal. */
export function causalMask(len: number): tf.Tensor2D {
  const values = new Float32Array(len * len);
  for (let q = 0; q < len; q++) for (let key = q + 1; key < len; key++) values[q * len + key] = -1e9;
  return tf.tensor2d(values, [len, len]);
}

// Incremental decoding for generate(): a per-layer key/value cache, so that each new token costs one row
// through the model instead of a full forward over the whole sequence.
//
// Layout. The prompt phase runs the batch right-padded to its longest prompt (as the uncached path does: every
// row starts at position 0, so a row's prompt is computed exactly as it would be alone) and keeps every
// layer's keys and values in the head-split layout [batch * heads, slots, d_head]. Each decode step appends
// one slot to every row: a row's new token sits at its own position (its prompt length + tokens so far)
// but at the same slot for all rows, so the prompt padding of shorter rows stays in the cache between a
// row's prompt and its generated tokens. A per-row additive mask (0 for the row's real keys, -1e9 for its
// padding slots) hides them: exp(-1e9 - max) is exactly 0 in float32, so a row attends to the same keys,
// with the same weights, as in the uncached forward; only float summation order differs. The mask is kept
// repeated per head, [batch * heads, 1, slots] like the scores, because tfjs-wasm's broadcasting add is a
// slow loop next to its same-shape add; where no prompt is padded (all of one length) it is not added at all.
//
// Rows that finish are dropped from the cache (a gather over the batch axis) before the next step, so
// later steps cost only the rows still generating.
//
// Fused layout (where core's decodeAttention kernel runs: wasm with the native module). Each layer's keys and
// values sit in [batch, cap, heads * d_head] buffers sized once at prefill, in the projections' own layout;
// each step writes the new row in place at the next slot and attends with one kernel, which skips a shorter
// prompt's padding slots by the rows' prompt lengths (no mask tensor). The three projections run as one
// product with [w_q | w_k | w_v], joined once per prefill. Elsewhere the layout above is used.
//
// No hook point runs here: generate() takes this path only while no hook is attached anywhere in the
// model (hooks see the full forward of the uncached path instead).
import { causalAttention, decodeAttention, decodeAttentionAvailable, linear, tf } from '@routelab/core';
import type { Block, Transformer } from './transformer.ts';

const MASKED = -1e9;

// A type, not an interface: tf.tidy returns it inside its result (TensorContainer wants an index signature).
type LayerCache = {
  k: tf.Tensor3D; // [batch * heads, slots, d_head]; fused: [batch, cap, heads * d_head]
  v: tf.Tensor3D; // [batch * heads, slots, d_head]; fused: [batch, cap, heads * d_head]
};

/** The fused layout's extra state (see the header). */
type Fused = {
  /** int32 [batch]: each row's prompt length. */
  lengths: tf.Tensor1D;
  /** Prompt slots (the longest prompt); generated tokens go to width, width + 1, ... */
  width: number;
  /** The slot the next step writes. */
  slot: number;
  /** Per layer: [w_q | w_k | w_v] [d_model, 3 d_model] and its bias. */
  qkv: { w: tf.Tensor2D; b: tf.Tensor1D }[];
};

export class KvCache {
  private constructor(
    private readonly model: Transformer,
    private layers: LayerCache[],
    /** [batch * heads, 1, slots] additive: 0 where the row has a real key, -1e9 on its prompt padding. */
    private mask: tf.Tensor3D,
    /** Whether any row has prompt padding (otherwise the mask is all zeros and is skipped). */
    private readonly padded: boolean,
    /** Rows currently held (the batch axis of every cached tensor). */
    private rows: number,
    private fused?: Fused,
  ) {}

  /**
   * Runs the prompts (ids [batch, width] right-padded, `lengths` per row) and returns the cache and the
   * logits at each row's last prompt position, [batch, vocab].
   */
  static prefill(model: Transformer, ids: Int32Array, lengths: readonly number[], width: number): { cache: KvCache; logits: tf.Tensor2D } {
    const batch = lengths.length;
    const { dModel, nHeads } = model.config;
    const dHead = dModel / nHeads;
    const maskValues = new Float32Array(batch * nHeads * width);
    const last = new Int32Array(batch);
    lengths.forEach((len, r) => {
      for (let h = 0; h < nHeads; h++) maskValues.fill(MASKED, (r * nHeads + h) * width + len, (r * nHeads + h + 1) * width);
      last[r] = r * width + len - 1;
    });
    const result = tf.tidy(() => {
      const tokens = tf.tensor2d(ids, [batch, width], 'int32');
      let resid: tf.Tensor = tf.add(embedTokens(model, tokens), tf.slice(model.position_embedding, [0, 0], [width, dModel]));
      const layers: LayerCache[] = [];
      for (const block of model.blocks) {
        const flat = tf.reshape(block.ln1.forward(resid), [batch * width, dModel]) as tf.Tensor2D;
        const [q, k, v] = projections(block, flat).map((t) => tf.reshape(t, [batch, width, dModel]) as tf.Tensor3D) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
        const z = causalAttention(q, k, v, nHeads, 1 / Math.sqrt(dHead));
        const attnOut = linear(tf.reshape(z, [batch * width, dModel]) as tf.Tensor2D, block.attn.w_o as tf.Tensor2D, block.attn.b_o);
        // [batch, width, heads * d_head] -> [batch * heads, width, d_head]
        const split = (t: tf.Tensor3D) => tf.reshape(tf.transpose(tf.reshape(t, [batch, width, nHeads, dHead]), [0, 2, 1, 3]), [batch * nHeads, width, dHead]) as tf.Tensor3D;
        layers.push({ k: split(k), v: split(v) });
        const mid = tf.add(resid, tf.reshape(attnOut, [batch, width, dModel]));
        resid = tf.add(mid, block.mlp.forward(block.ln2.forward(mid)));
      }
      const lastResid = tf.gather(tf.reshape(resid, [batch * width, dModel]), tf.tensor1d(last, 'int32'));
      const logits = model.unembed.forward(model.ln_final.forward(lastResid)) as tf.Tensor2D;
      return { layers, logits, mask: tf.tensor3d(maskValues, [batch * nHeads, 1, width]) };
    });
    const padded = lengths.some((len) => len < width);
    if (!decodeAttentionAvailable()) return { cache: new KvCache(model, result.layers, result.mask, padded, batch), logits: result.logits };
    // A row feeds at most maxLen - length - 1 generated tokens, each to the next slot after the prompts.
    const cap = width + model.config.maxLen - Math.min(...lengths);
    const fused = tf.tidy(() => {
      const toBuffer = (t: tf.Tensor3D) =>
        tf.pad(tf.reshape(tf.transpose(tf.reshape(t, [batch, nHeads, width, dHead]), [0, 2, 1, 3]), [batch, width, dModel]), [[0, 0], [0, cap - width], [0, 0]]) as tf.Tensor3D;
      return {
        layers: result.layers.map(({ k, v }) => ({ k: toBuffer(k), v: toBuffer(v) })),
        lengths: tf.tensor1d(Int32Array.from(lengths), 'int32'),
        qkv: [...model.blocks].map(({ attn }) => ({ w: tf.concat([attn.w_q, attn.w_k, attn.w_v], 1) as tf.Tensor2D, b: tf.concat([attn.b_q, attn.b_k, attn.b_v]) as tf.Tensor1D })),
      };
    });
    tf.dispose([result.mask, ...result.layers.flatMap(({ k, v }) => [k, v])]);
    const state = { lengths: fused.lengths, width, slot: width, qkv: fused.qkv };
    return { cache: new KvCache(model, fused.layers, tf.zeros([0, 1, 0]), false, batch, state), logits: result.logits };
  }

  /** Rows held now. */
  get batch(): number {
    return this.rows;
  }

  /** Keeps only `rows` (indices into the current batch, in the new order). */
  select(rows: readonly number[]): void {
    if (rows.length === this.rows && rows.every((r, i) => r === i)) return;
    if (this.fused) {
      const fused = this.fused;
      const next = tf.tidy(() => {
        const keep = tf.tensor1d(Int32Array.from(rows), 'int32');
        return {
          layers: this.layers.map(({ k, v }) => ({ k: tf.gather(k, keep) as tf.Tensor3D, v: tf.gather(v, keep) as tf.Tensor3D })),
          lengths: tf.gather(fused.lengths, keep) as tf.Tensor1D,
        };
      });
      fused.lengths.dispose();
      fused.lengths = next.lengths;
      this.replace(next.layers, tf.zeros([0, 1, 0]));
      this.rows = rows.length;
      return;
    }
    const { nHeads } = this.model.config;
    const next = tf.tidy(() => {
      const byHead = tf.tensor1d(Int32Array.from(rows.flatMap((r) => Array.from({ length: nHeads }, (_, h) => r * nHeads + h))), 'int32');
      return {
        layers: this.layers.map(({ k, v }) => ({ k: tf.gather(k, byHead) as tf.Tensor3D, v: tf.gather(v, byHead) as tf.Tensor3D })),
        mask: tf.gather(this.mask, byHead) as tf.Tensor3D,
      };
    });
    this.replace(next.layers, next.mask);
    this.rows = rows.length;
  }

  /**
   * Feeds one token per row (tokens[r] at position positions[r]), appends its keys and values and
   * returns the next-token logits [batch, vocab].
   */
  step(tokens: Int32Array, positions: Int32Array): tf.Tensor2D {
    const batch = this.rows;
    if (tokens.length !== batch || positions.length !== batch) throw new RangeError(`KvCache.step: ${tokens.length} tokens and ${positions.length} positions for ${batch} rows`);
    const model = this.model;
    const { dModel, nHeads } = model.config;
    const dHead = dModel / nHeads;
    const scale = 1 / Math.sqrt(dHead);
    if (this.fused) return this.stepFused(tokens, positions, this.fused, scale);
    const next = tf.tidy(() => {
      // The new slot is a real key for every row.
      const mask = this.padded ? (tf.concat([this.mask, tf.zeros([batch * nHeads, 1, 1])], 2) as tf.Tensor3D) : tf.clone(this.mask);
      const embedded = embedTokens(model, tf.tensor2d(tokens, [batch, 1], 'int32'));
      let x: tf.Tensor2D = tf.add(tf.reshape(embedded, [batch, dModel]), tf.gather(model.position_embedding, tf.tensor1d(positions, 'int32')));
      const layers: LayerCache[] = [];
      let l = 0;
      for (const block of model.blocks) {
        const [q, k, v] = projections(block, block.ln1.forward(x) as tf.Tensor2D);
        // One query row per (row, head): [batch, heads * d_head] is already [batch * heads, 1, d_head] in memory.
        const heads = (t: tf.Tensor) => tf.reshape(t, [batch * nHeads, 1, dHead]) as tf.Tensor3D;
        const cached = this.layers[l]!;
        const keys = tf.concat([cached.k, heads(k)], 1) as tf.Tensor3D;
        const values = tf.concat([cached.v, heads(v)], 1) as tf.Tensor3D;
        layers.push({ k: keys, v: values });
        const raw = tf.matMul(heads(tf.mul(q, scale)), keys, false, true); // [batch * heads, 1, slots]
        const pattern = tf.softmax(this.padded ? tf.add(raw, mask) : raw) as tf.Tensor3D;
        const z = tf.reshape(tf.matMul(pattern, values), [batch, dModel]) as tf.Tensor2D;
        const mid = tf.add(x, linear(z, block.attn.w_o as tf.Tensor2D, block.attn.b_o));
        const mlpOut = block.mlp.forward(tf.reshape(block.ln2.forward(mid), [batch, 1, dModel]));
        x = tf.add(mid, tf.reshape(mlpOut, [batch, dModel])) as tf.Tensor2D;
        l++;
      }
      const logits = model.unembed.forward(model.ln_final.forward(x)) as tf.Tensor2D;
      return { layers, mask, logits };
    });
    this.replace(next.layers, next.mask);
    return next.logits;
  }

  /** step() in the fused layout: the caches are written in place, so only the logits are new tensors. */
  private stepFused(tokens: Int32Array, positions: Int32Array, fused: Fused, scale: number): tf.Tensor2D {
    const batch = this.rows;
    const model = this.model;
    const { dModel, nHeads } = model.config;
    const logits = tf.tidy(() => {
      const embedded = embedTokens(model, tf.tensor2d(tokens, [batch, 1], 'int32'));
      let x: tf.Tensor2D = tf.add(tf.reshape(embedded, [batch, dModel]), tf.gather(model.position_embedding, tf.tensor1d(positions, 'int32')));
      for (const [l, block] of [...model.blocks].entries()) {
        const { k, v } = this.layers[l]!;
        const qkv = linear(block.ln1.forward(x) as tf.Tensor2D, fused.qkv[l]!.w, fused.qkv[l]!.b);
        const z = decodeAttention(qkv, fused.lengths, k, v, { heads: nHeads, scale, slot: fused.slot, width: fused.width });
        const mid = tf.add(x, linear(z, block.attn.w_o as tf.Tensor2D, block.attn.b_o));
        const mlpOut = block.mlp.forward(tf.reshape(block.ln2.forward(mid), [batch, 1, dModel]));
        x = tf.add(mid, tf.reshape(mlpOut, [batch, dModel])) as tf.Tensor2D;
      }
      return model.unembed.forward(model.ln_final.forward(x)) as tf.Tensor2D;
    });
    fused.slot++;
    return logits;
  }

  dispose(): void {
    this.disposeLayers();
    if (this.fused) tf.dispose([this.fused.lengths, ...this.fused.qkv.flatMap(({ w, b }) => [w, b])]);
    this.fused = undefined;
  }

  private disposeLayers(): void {
    for (const { k, v } of this.layers) tf.dispose([k, v]);
    this.mask.dispose();
    this.layers = [];
  }

  private replace(layers: LayerCache[], mask: tf.Tensor3D): void {
    this.disposeLayers();
    this.layers = layers;
    this.mask = mask;
  }
}

/** tokens [batch, pos] int32 -> [batch, pos, d_model]: gathered rows equal the forward's one-hot product exactly. */
function embedTokens(model: Transformer, tokens: tf.Tensor2D): tf.Tensor3D {
  const [batch, pos] = tokens.shape;
  const rows = tf.gather(model.token_embedding, tf.reshape(tokens, [batch * pos]));
  return tf.reshape(rows, [batch, pos, model.config.dModel]);
}

/** x [rows, d_model] -> q, k, v [rows, heads * d_head], heads side by side. */
function projections(block: Block, x: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D] {
  const { attn } = block;
  return [
    linear(x, attn.w_q as tf.Tensor2D, attn.b_q),
    linear(x, attn.w_k as tf.Tensor2D, attn.b_k),
    linear(x, attn.w_v as tf.Tensor2D, attn.b_v),
  ];
}

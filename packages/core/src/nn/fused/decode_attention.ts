// Attention of one decoded row per sequence against a key/value cache, for sampling with a cache: one native
// kernel per layer and step (native/lm_kernels.c, decode_attention) in place of splitting heads, appending to
// the cache (a copy of the whole cache per step), two small batched products, the mask and a softmax.
//
// The caches are [batch, cap, heads * d_head] tensors that the caller owns and never shares (no clone or
// reshape of them is kept): the kernel writes the new row's keys and values into slot `slot` IN PLACE, then
// attends over the slots that hold real keys (a row's prompt, 0..length-1, and generated tokens, width..slot;
// a shorter prompt's padding between is skipped). No gradient. Where the kernel is missing (other backends,
// no native module) callers keep their composite path: decodeAttentionAvailable() says which.
import * as tf from '@tensorflow/tfjs-core';
import { FusedDecodeAttention } from '../../kernels/kernel_names.ts';
import { decodeAttentionKernel } from '../../kernels/wasm/native_lm.ts';
import { fusedKernelsAvailable, runKernel } from './availability.ts';

export function decodeAttentionAvailable(): boolean {
  return fusedKernelsAvailable() && decodeAttentionKernel() !== undefined;
}

export interface DecodeAttentionOptions {
  heads: number;
  scale: number;
  /** The slot the new row is written to (and the last slot attended to). */
  slot: number;
  /** Slots taken by the prompts (right-padded to the longest); lengths[b] <= width. */
  width: number;
}

/**
 * qkv [batch, 3 * d_model] (q, k, v of the new row side by side), lengths int32 [batch] (prompt lengths),
 * kCache, vCache [batch, cap, d_model] (written at `slot`) -> z [batch, d_model], heads side by side.
 */
export function decodeAttention(qkv: tf.Tensor2D, lengths: tf.Tensor1D, kCache: tf.Tensor3D, vCache: tf.Tensor3D, options: DecodeAttentionOptions): tf.Tensor2D {
  if (!decodeAttentionAvailable()) throw new Error('decodeAttention: needs the wasm backend with the native module (check decodeAttentionAvailable() first)');
  return runKernel(FusedDecodeAttention, { qkv, lengths, kCache, vCache }, { ...options })[0] as tf.Tensor2D;
}

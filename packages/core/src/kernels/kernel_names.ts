// Kernel names and their typed inputs and attributes, in one place (the tfjs convention).
// Every backend registers its implementation of these names in register_all_kernels.ts.
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * Masked AdamW, in place. For every element i with mask[i] != 0:
 *   g    = mask[i] * grad[i]                      (a soft mask scales the gradient)
 *   m[i] = beta1 * m[i] + (1 - beta1) * g
 *   v[i] = beta2 * v[i] + (1 - beta2) * g * g
 *   mHat = m[i] / (1 - beta1^step),  vHat = v[i] / (1 - beta2^step)
 *   p[i] = p[i] - lr * (mHat / (sqrt(vHat) + eps) + weightDecay * p[i])   (decoupled decay)
 * An element with mask[i] == 0 is left exactly unchanged: parameter, m and v alike (no decay either).
 * param, m and v are written in place; grad and mask are read only. All float32, same shape.
 */
export const MaskedAdamW = 'RoutelabMaskedAdamW';
export interface MaskedAdamWInputs extends NamedTensorInfoMap {
  param: TensorInfo;
  grad: TensorInfo;
  mask: TensorInfo;
  m: TensorInfo;
  v: TensorInfo;
}
export interface MaskedAdamWAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1-based step count, used for bias correction. */
  step: number;
}

/**
 * Masked SGD with momentum (PyTorch semantics, no dampening), in place. For mask[i] != 0:
 *   g      = mask[i] * grad[i] + weightDecay * p[i]
 *   buf[i] = momentum * buf[i] + g
 *   p[i]   = p[i] - lr * (nesterov ? g + momentum * buf[i] : buf[i])
 * An element with mask[i] == 0 is left exactly unchanged: parameter and buf alike.
 */
export const MaskedSGD = 'RoutelabMaskedSGD';
export interface MaskedSGDInputs extends NamedTensorInfoMap {
  param: TensorInfo;
  grad: TensorInfo;
  mask: TensorInfo;
  buf: TensorInfo;
}
export interface MaskedSGDAttrs {
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
}

/** Elementwise copy `dst = src` in place over float32 data: the bandwidth yardstick for benchmarks. */
export const CopyInPlace = 'RoutelabCopyInPlace';
export interface CopyInPlaceInputs extends NamedTensorInfoMap {
  src: TensorInfo;
  dst: TensorInfo;
}

/** Kernels with no outputs return this (tfjs kernels must return TensorInfo or an array of them). */
export const NO_OUTPUTS: TensorInfo[] = [];

export type AttrsOf<T> = T & NamedAttrMap;

/*
 * Fused transformer kernels (float32, row-major; see native/lm_kernels.c for the arithmetic). Each has an
 * op in nn/fused/ with the gradient written out, and a composite of tfjs ops where a backend lacks it.
 *   LayerNorm       x [..., d], gamma [d], beta [d]; attrs eps   -> y [..., d], mean [rows], rstd [rows]
 *   LayerNormGrad   dy, x, gamma, mean, rstd                    -> dx [..., d], dgamma [d], dbeta [d]
 *   Gelu            x                                           -> y (exact: x * Phi(x))
 *   GeluGrad        dy, x                                       -> dx
 *   CausalAttention q, k, v [B, T, H * dh]; attrs heads, scale  -> z [B, T, H * dh], pattern [B, H, T, T]
 *   CausalAttentionGrad q, k, v, pattern, dz; attrs heads, scale -> dq, dk, dv
 *   CausalAttentionQkv qkv [B, T, 3 * H * dh] ([q | k | v] per row, one joined product); attrs heads, scale
 *                   -> z [B, T, H * dh], pattern [B, H, T, T]
 *   CausalAttentionQkvGrad qkv, pattern, dz; attrs heads, scale -> dqkv [B, T, 3 * H * dh]
 *   Linear          x [M, K], w [K, N], bias [N]                 -> y [M, N] = x w + bias
 *   CrossEntropy    logits [n, V], targets int32 [n]             -> loss [n], probs [n, V]
 *   CrossEntropyGrad dloss [n], probs [n, V], targets [n]        -> dlogits [n, V]
 *   LayerNormGradWeighted dy, x, gamma, mean, rstd, rowWeight [rows] -> dx, and dgamma, dbeta with row r's
 *                   share weighted by rowWeight[r] (parameter routing; dx unweighted)
 *   RowWeightedMatMul x [M, K], g [M, N], w [M]               -> [K, N] = x^T diag(w) g (parameter routing)
 *   DecodeAttention qkv [B, 3 * H * dh], lengths int32 [B], kCache, vCache [B, cap, H * dh];
 *                   attrs heads, scale, slot, width              -> z [B, H * dh]; writes k, v at `slot` of the
 *                   caches IN PLACE (sampling only: no gradient, no composite; see nn/fused/decode_attention.ts)
 */
export const FusedLayerNorm = 'RoutelabLayerNorm';
export const FusedLayerNormGrad = 'RoutelabLayerNormGrad';
export const FusedGelu = 'RoutelabGelu';
export const FusedGeluGrad = 'RoutelabGeluGrad';
export const FusedCausalAttention = 'RoutelabCausalAttention';
export const FusedCausalAttentionGrad = 'RoutelabCausalAttentionGrad';
export const FusedCausalAttentionQkv = 'RoutelabCausalAttentionQkv';
export const FusedCausalAttentionQkvGrad = 'RoutelabCausalAttentionQkvGrad';
export const FusedLinear = 'RoutelabLinear';
export const FusedCrossEntropy = 'RoutelabCrossEntropy';
export const FusedCrossEntropyGrad = 'RoutelabCrossEntropyGrad';
export const FusedDecodeAttention = 'RoutelabDecodeAttention';
export const FusedLayerNormGradWeighted = 'RoutelabLayerNormGradWeighted';
export const FusedRowWeightedMatMul = 'RoutelabRowWeightedMatMul';
export interface DecodeAttentionAttrs {
  heads: number;
  scale: number;
  slot: number;
  width: number;
}
export interface LayerNormAttrs {
  eps: number;
}
export interface CausalAttentionAttrs {
  heads: number;
  scale: number;
}

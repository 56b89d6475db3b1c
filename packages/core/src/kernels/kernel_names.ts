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

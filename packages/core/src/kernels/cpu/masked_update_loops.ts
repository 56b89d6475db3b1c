// The in-place loops behind the cpu kernels, on plain Float32Arrays. The wasm backend reuses them (on
// views of its heap) where its SIMD module cannot be instantiated, so both share one tested code path.
// Arithmetic is in float64 (JS numbers) with one rounding per stored value, like the reference.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { MaskedAdamWAttrs, MaskedSGDAttrs } from '../kernel_names.ts';
import { KernelInputError } from '../validate_inputs.ts';

export function maskedAdamWLoop(
  param: Float32Array,
  grad: Float32Array,
  mask: Float32Array,
  m: Float32Array,
  v: Float32Array,
  attrs: MaskedAdamWAttrs,
): void {
  const { lr, beta1, beta2, eps, weightDecay, step } = attrs;
  const c1 = 1 - Math.pow(beta1, step);
  const c2 = 1 - Math.pow(beta2, step);
  const omb1 = 1 - beta1;
  const omb2 = 1 - beta2;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    const k = mask[i]!;
    // `=== 0` is also true for -0, and false for NaN: the same rule as the reference and the SIMD kernel.
    if (k === 0) continue;
    const g = k * grad[i]!;
    const mi = beta1 * m[i]! + omb1 * g;
    const vi = beta2 * v[i]! + omb2 * g * g;
    m[i] = mi;
    v[i] = vi;
    const p = param[i]!;
    param[i] = p - lr * (mi / c1 / (Math.sqrt(vi / c2) + eps) + weightDecay * p);
  }
}

export function maskedSGDLoop(
  param: Float32Array,
  grad: Float32Array,
  mask: Float32Array,
  buf: Float32Array,
  attrs: MaskedSGDAttrs,
): void {
  const { lr, momentum, weightDecay, nesterov } = attrs;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    const k = mask[i]!;
    if (k === 0) continue;
    const p = param[i]!;
    const g = k * grad[i]! + weightDecay * p;
    const b = momentum * buf[i]! + g;
    buf[i] = b;
    param[i] = p - lr * (nesterov ? g + momentum * b : b);
  }
}

/**
 * Tensors written in place must not share a buffer with any other input: two writers to one buffer (or a
 * writer over a buffer another input still reads as different data) give results no update rule describes.
 */
export function assertDistinctBuffers(
  kernel: string,
  written: readonly string[],
  tensors: Record<string, TensorInfo>,
): void {
  const names = Object.keys(tensors);
  for (const w of written) {
    for (const other of names) {
      if (other !== w && tensors[other]!.dataId === tensors[w]!.dataId) {
        throw new KernelInputError(
          `${kernel}: tensor "${w}" is written in place but shares its buffer with "${other}"`,
        );
      }
    }
  }
}

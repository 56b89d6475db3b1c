/// <reference types="@webgpu/types" />
// Shared by this folder's kernel tests: seeded data, masks with zero, unit, soft and negative weights, and a
// comparison that demands bit-exact stillness where the mask is zero and closeness to the reference elsewhere.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { registerKernelsFor } from '../register_all_kernels.ts';

/** mulberry32: small, seeded, good enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(n: number, rand: () => number, scale = 1, offset = -0.5): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rand() + offset) * 2 * scale;
  return out;
}

/** Zero, unit, soft and negative mask values. Rotating with `step` gives every element each kind in turn. */
export const MASK_VALUES = [0, 1, 0.3, -0.5] as const;

export function rotatingMask(n: number, step: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = MASK_VALUES[(i + step) % MASK_VALUES.length]!;
  return out;
}

/**
 * Values that arithmetic could disturb (subnormals, minus zero, a large value) placed where the first
 * step's mask is zero, so the bit-exactness check covers them.
 */
export function plantFragileValues(a: Float32Array, firstStep: number): void {
  const fragile = [1e-40, -0, 1.5e30, 2e-39]; // non-negative (but -0): valid as a second moment too
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    if (MASK_VALUES[(i + firstStep) % MASK_VALUES.length] === 0 && i % 3 === 0) a[i] = fragile[k++ % fragile.length]!;
  }
}

export interface Tolerance {
  rtol: number;
  atol: number;
}
// The absolute floor covers cancellation: m = beta1 * m + (1 - beta1) * g can land far below its terms
// (~0.1 here), and then the f32 rounding of the terms and of beta1 itself (a few 1e-9) is what remains.
export const DEFAULT_TOLERANCE: Tolerance = { rtol: 1e-5, atol: 1e-7 };

/**
 * Problems found in `got` (kernel output) against `want` (reference): where mask is 0, `got` must carry
 * exactly the bits of `before`; elsewhere |got - want| <= rtol * |want| + atol. Empty means all good.
 */
export function compareMaskedUpdate(
  label: string,
  got: Float32Array,
  want: Float32Array,
  before: Float32Array,
  mask: Float32Array,
  tol: Tolerance = DEFAULT_TOLERANCE,
  maxReports = 3,
): string[] {
  const problems: string[] = [];
  const gotBits = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const beforeBits = new Uint32Array(before.buffer, before.byteOffset, before.length);
  if (got.length !== want.length) return [`${label}: length ${got.length}, expected ${want.length}`];
  for (let i = 0; i < got.length && problems.length < maxReports; i++) {
    if (mask[i] === 0) {
      if (gotBits[i] !== beforeBits[i]) {
        problems.push(`${label}[${i}] masked out but changed: ${before[i]} -> ${got[i]}`);
      }
    } else if (!(Math.abs(got[i]! - want[i]!) <= tol.rtol * Math.abs(want[i]!) + tol.atol)) {
      problems.push(`${label}[${i}] = ${got[i]}, reference ${want[i]} (mask ${mask[i]})`);
    }
  }
  return problems;
}

/** The first index where `got` and `want` differ bit for bit, described; null if identical. (vitest's deep
 * equality takes seconds on a million elements.) */
export function firstBitDifference(got: Float32Array, want: Float32Array): string | null {
  if (got.length !== want.length) return `length ${got.length}, expected ${want.length}`;
  const a = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const b = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `[${i}] = ${got[i]}, expected ${want[i]}`;
  return null;
}

export async function read(t: tf.Tensor): Promise<Float32Array> {
  return Float32Array.from(await t.data());
}

/** Collects WebGPU errors nobody caught (they would otherwise only reach stderr). */
export function watchUncapturedErrors(): { errors: string[]; stop: () => void } {
  const device = (tf.backend() as unknown as { device: GPUDevice }).device;
  const errors: string[] = [];
  const listener = (event: Event): void => {
    errors.push((event as GPUUncapturedErrorEvent).error.message);
  };
  device.addEventListener('uncapturederror', listener);
  return { errors, stop: () => device.removeEventListener('uncapturederror', listener) };
}

interface BackendRecord {
  resource?: unknown;
  dtype: string;
}
function backendRecord(t: tf.Tensor): BackendRecord {
  return (tf.backend() as unknown as { tensorMap: { get(id: object): BackendRecord } }).tensorMap.get(t.dataId);
}

/** Whether tfjs still keeps this tensor's data on the CPU only (not yet uploaded to a GPUBuffer). */
export function isCpuOnly(t: tf.Tensor): boolean {
  return backendRecord(t).resource == null;
}

/** The dtype of the data tfjs actually stores for `t` (cast can relabel without converting). */
export function storedDtype(t: tf.Tensor): string {
  return backendRecord(t).dtype;
}

/**
 * The hooks of every webgpu kernel suite (call inside its describe): routelab's kernels registered (loadBackend
 * already did; registering twice is a no-op), and no uncaptured WebGPU error during any test.
 */
export function webGpuKernelSuiteHooks(): void {
  let watch: ReturnType<typeof watchUncapturedErrors>;
  beforeAll(async () => {
    await registerKernelsFor('webgpu');
  });
  beforeEach(() => {
    watch = watchUncapturedErrors();
  });
  afterEach(async () => {
    await tf.ready();
    watch.stop();
    expect(watch.errors).toEqual([]);
  });
}

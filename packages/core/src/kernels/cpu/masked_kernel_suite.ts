// The behaviour every backend's MaskedAdamW / MaskedSGD / CopyInPlace kernels must show, written once and
// run per backend by the *_cpu.test.ts and *_wasm.test.ts files beside the kernels. Kernels are called
// the way routelab's ops call them: tf.engine().runKernel(name, inputs, attrs).
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import type { AttrsOf, MaskedAdamWAttrs, MaskedSGDAttrs } from '../kernel_names.ts';
import { CopyInPlace, MaskedAdamW, MaskedSGD } from '../kernel_names.ts';
import { referenceMaskedAdamW, referenceMaskedSGD } from '../masked_update_reference.ts';

/** Sizes around the 4-lane SIMD width, and one large enough to leave caches. */
export const SIZES = [1, 3, 4, 1000, 1025, 2 ** 20 + 3];

/** |actual - expected| <= atol + rtol * |expected|; {0, 0} demands identical floats. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

function random(seed: number): () => number {
  let s = seed >>> 0; // mulberry32: deterministic data, so a failure reproduces
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export function normal(n: number, seed: number, scale = 1): Float32Array {
  const r = random(seed);
  return Float32Array.from({ length: n }, () => scale * (r() + r() + r() - 1.5) * 2);
}

/** Masks of 0, 1 and 0.3 (a soft mask) in random positions, with -0 counted as 0. */
export function mixedMask(n: number, seed: number): Float32Array {
  const r = random(seed);
  return Float32Array.from({ length: n }, () => [0, 1, 0.3, -0][Math.floor(r() * 4)]!);
}

/** Poisons masked-out slots: NaN/Inf gradients there must not leak into any output. */
function poison(grad: Float32Array, mask: Float32Array): Float32Array {
  return grad.map((g, i) => (mask[i] === 0 ? [NaN, Infinity, -Infinity, g][i % 4]! : g));
}

/** A tensor owning a fresh copy of `a` (tfjs's cpu backend would otherwise write into `a` itself). */
const own = (a: Float32Array, shape: number[] = [a.length]) => tf.tensor(Float32Array.from(a), shape, 'float32');
const read = async (t: tf.Tensor) => Float32Array.from(await t.data());

function sameBits(a: Float32Array, b: Float32Array): boolean {
  const [x, y] = [new Uint32Array(a.buffer, a.byteOffset, a.length), new Uint32Array(b.buffer, b.byteOffset, b.length)];
  return x.length === y.length && x.every((bits, i) => bits === y[i]);
}

export function expectMatches(name: string, actual: Float32Array, expected: Float32Array, before: Float32Array,
  mask: Float32Array, tol: Tolerance): void {
  const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
  const [act, prev] = [bits(actual), bits(before)];
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < expected.length; i++) {
    if (mask[i] === 0) {
      if (act[i] !== prev[i]) throw new Error(`${name}[${i}] changed under mask 0: ${before[i]} -> ${actual[i]}`);
      continue;
    }
    const err = Math.abs(actual[i]! - expected[i]!) - tol.rtol * Math.abs(expected[i]!);
    if (!(err <= worst)) [worst, worstAt] = [err, i]; // `!(<=)` also catches NaN
  }
  if (worstAt >= 0 && !(worst <= tol.atol)) {
    throw new Error(`${name}[${worstAt}] = ${actual[worstAt]}, reference ${expected[worstAt]} (excess ${worst})`);
  }
}

export function maskedAdamWCases(tol: Tolerance): void {
  const base: MaskedAdamWAttrs = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05, step: 1 };
  const run = (t: Record<'param' | 'grad' | 'mask' | 'm' | 'v', tf.Tensor>, attrs: MaskedAdamWAttrs) =>
    tf.engine().runKernel(MaskedAdamW, t, attrs as AttrsOf<MaskedAdamWAttrs>);

  for (const n of SIZES) {
    it(`matches the reference over 4 steps with mixed masks (n=${n})`, async () => {
      const mask = mixedMask(n, 2);
      const ref = { param: normal(n, 1), m: normal(n, 3, 0.1), v: normal(n, 4, 0.01).map(Math.abs) };
      ref.param.forEach((_, i) => { if (i % 7 === 0 && mask[i] === 0) ref.param[i] = -0; });
      const t = { param: own(ref.param), m: own(ref.m), v: own(ref.v), mask: own(mask) };
      for (let step = 1; step <= 4; step++) {
        const attrs = { ...base, step };
        const grad = poison(normal(n, 10 + step), mask);
        const before = { param: await read(t.param), m: await read(t.m), v: await read(t.v) };
        const g = own(grad);
        referenceMaskedAdamW(ref, grad, mask, attrs);
        expect(run({ ...t, grad: g }, attrs)).toEqual([]);
        g.dispose();
        expectMatches('param', await read(t.param), ref.param, before.param, mask, tol);
        expectMatches('m', await read(t.m), ref.m, before.m, mask, tol);
        expectMatches('v', await read(t.v), ref.v, before.v, mask, tol);
      }
      tf.dispose(Object.values(t));
    });
  }

  it('applies decoupled weight decay only where mask != 0 (zero gradient, m = v = 0)', async () => {
    const param = own(new Float32Array([2, 2, 2, 2, 2]));
    const mask = own(new Float32Array([1, 0, 0.3, 1, 0]));
    const zeros = () => own(new Float32Array(5));
    run({ param, grad: zeros(), mask, m: zeros(), v: zeros() }, { ...base, lr: 0.1, weightDecay: 0.5 });
    const p = await read(param);
    expect(Array.from(p)).toEqual(Array.from(new Float32Array([1.9, 2, 1.9, 1.9, 2])));
  });

  it('throws naming the tensor on shape and dtype mismatches', () => {
    const f = (n: number) => own(new Float32Array(n));
    expect(() => run({ param: f(4), grad: f(4), mask: f(4), m: f(5), v: f(4) }, base)).toThrow(/"m" has shape \[5\]/);
    const intMask = tf.tensor([1, 0, 1, 0], [4], 'int32');
    expect(() => run({ param: f(4), grad: f(4), mask: intMask, m: f(4), v: f(4) }, base)).toThrow(/"mask" has dtype int32/);
    const p = f(4);
    expect(() => run({ param: p, grad: f(4), mask: f(4), m: p, v: f(4) }, base)).toThrow(/"param" .*shares its buffer/);
  });

  it('does nothing on empty tensors', () => {
    const e = () => tf.tensor([], [0, 3], 'float32');
    expect(run({ param: e(), grad: e(), mask: e(), m: e(), v: e() }, base)).toEqual([]);
  });

  it('is seen by tfjs ops afterwards, matMul included (no stale packed weights)', async () => {
    const w = own(new Float32Array([1, 2, 3, 4]), [2, 2]);
    const x = tf.tensor2d([[1, 1]]);
    expect(Array.from(await tf.matMul(x, w).data())).toEqual([4, 6]);
    const zeros = () => own(new Float32Array(4), [2, 2]);
    const grad = own(new Float32Array([1, 1, 1, 1]), [2, 2]);
    run({ param: w, grad, mask: own(new Float32Array([1, 1, 1, 1]), [2, 2]), m: zeros(), v: zeros() },
      { ...base, lr: 0.5, weightDecay: 0 });
    const expected = [0.5, 1.5, 2.5, 3.5]; // first step: mHat / (sqrt(vHat) + eps) = 1
    const after = Array.from(await w.data());
    after.forEach((a, i) => expect(a).toBeCloseTo(expected[i]!, 5));
    expect(Array.from(await tf.add(w, 0).data())).toEqual(after);
    const y = Array.from(await tf.matMul(x, w).data());
    expect(y[0]).toBeCloseTo(3, 5);
    expect(y[1]).toBeCloseTo(5, 5);
  });
}

export function maskedSGDCases(tol: Tolerance): void {
  const run = (t: Record<'param' | 'grad' | 'mask' | 'buf', tf.Tensor>, attrs: MaskedSGDAttrs) =>
    tf.engine().runKernel(MaskedSGD, t, attrs as AttrsOf<MaskedSGDAttrs>);
  for (const nesterov of [false, true]) {
    for (const n of SIZES) {
      it(`matches the reference over 4 steps (nesterov=${nesterov}, n=${n})`, async () => {
        const attrs: MaskedSGDAttrs = { lr: 0.05, momentum: 0.9, weightDecay: 0.01, nesterov };
        const mask = mixedMask(n, 5);
        const ref = { param: normal(n, 6), buf: normal(n, 7, 0.1) };
        const t = { param: own(ref.param), buf: own(ref.buf), mask: own(mask) };
        for (let step = 1; step <= 4; step++) {
          const grad = poison(normal(n, 20 + step), mask);
          const before = { param: await read(t.param), buf: await read(t.buf) };
          const g = own(grad);
          referenceMaskedSGD(ref, grad, mask, attrs);
          expect(run({ ...t, grad: g }, attrs)).toEqual([]);
          g.dispose();
          expectMatches('param', await read(t.param), ref.param, before.param, mask, tol);
          expectMatches('buf', await read(t.buf), ref.buf, before.buf, mask, tol);
        }
        tf.dispose(Object.values(t));
      });
    }
  }

  it('throws naming the tensor on shape and dtype mismatches', () => {
    const f = (n: number) => own(new Float32Array(n));
    const attrs: MaskedSGDAttrs = { lr: 0.1, momentum: 0, weightDecay: 0, nesterov: false };
    expect(() => run({ param: f(4), grad: f(3), mask: f(4), buf: f(4) }, attrs)).toThrow(/"grad" has shape \[3\]/);
    const intBuf = tf.tensor([0, 0, 0, 0], [4], 'int32');
    expect(() => run({ param: f(4), grad: f(4), mask: f(4), buf: intBuf }, attrs)).toThrow(/"buf" has dtype int32/);
  });

  it('is seen by tfjs ops afterwards, matMul included', async () => {
    const w = own(new Float32Array([1, 2, 3, 4]), [2, 2]);
    const x = tf.tensor2d([[1, 1]]);
    expect(Array.from(await tf.matMul(x, w).data())).toEqual([4, 6]);
    const ones = own(new Float32Array([1, 1, 1, 1]), [2, 2]);
    run({ param: w, grad: ones, mask: own(new Float32Array([1, 1, 0, 0]), [2, 2]), buf: own(new Float32Array(4), [2, 2]) },
      { lr: 0.5, momentum: 0.9, weightDecay: 0, nesterov: false });
    expect(Array.from(await w.data())).toEqual([0.5, 1.5, 3, 4]);
    expect(Array.from(await tf.matMul(x, w).data())).toEqual([3.5, 5.5]);
  });
}

export function copyInPlaceCases(): void {
  const run = (src: tf.Tensor, dst: tf.Tensor) => tf.engine().runKernel(CopyInPlace, { src, dst });
  for (const n of SIZES) {
    it(`copies src into dst exactly (n=${n})`, async () => {
      const values = normal(n, 8);
      const src = own(values);
      const dst = own(new Float32Array(n));
      expect(run(src, dst)).toEqual([]);
      // Compared as bits and without per-element expect() calls: 1M expectations take seconds.
      expect(sameBits(await read(dst), values)).toBe(true);
      expect(sameBits(await read(src), values)).toBe(true);
      tf.dispose([src, dst]);
    });
  }

  it('throws naming the tensor on shape and dtype mismatches, and on dst === src', () => {
    expect(() => run(own(new Float32Array(4)), own(new Float32Array(6), [2, 3]))).toThrow(/"dst" has shape \[2, 3\]/);
    expect(() => run(own(new Float32Array(2)), tf.tensor([1, 2], [2], 'int32'))).toThrow(/"dst" has dtype int32/);
    const t = own(new Float32Array(2));
    expect(() => run(t, t)).toThrow(/"dst" .*shares its buffer/);
  });

  it('is seen by tfjs ops afterwards, matMul included', async () => {
    const w = own(new Float32Array([1, 2, 3, 4]), [2, 2]);
    const x = tf.tensor2d([[1, 1]]);
    expect(Array.from(await tf.matMul(x, w).data())).toEqual([4, 6]);
    run(own(new Float32Array([5, 6, 7, 8]), [2, 2]), w);
    expect(Array.from(await tf.matMul(x, w).data())).toEqual([12, 14]);
  });
}

// The public masked-update ops on every backend present, against the plain reference. This covers the fused
// kernel where a backend has one, the composed fallback where it has none; the composed form is also
// checked on its own below.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { describeEachBackend, probeBackends } from '../testing/backend_suites.ts';
import { referenceMaskedAdamW, referenceMaskedSGD } from '../kernels/masked_update_reference.ts';
import { KernelInputError } from '../kernels/validate_inputs.ts';
import { maskedAdamWUpdate, maskedSGDUpdate } from './masked_update.ts';
import { composedMaskedAdamW, composedMaskedSGD } from './composed_masked_update.ts';
import { SharedBufferError } from './buffer_ownership.ts';

const backends = await probeBackends(['cpu', 'wasm', 'webgpu', 'tensorflow']);

function data(n: number, seed: number, kind: 'normal' | 'mask' | 'positive'): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    out[i] = kind === 'mask' ? [0, 1, 0.3, 0, 1][Math.floor(u * 5)]! : kind === 'positive' ? u * 0.01 : u * 2 - 1;
  }
  return out;
}

const variableFrom = (a: Float32Array) => tf.variable(tf.tensor1d(Float32Array.from(a)), false);

function expectClose(actual: Float32Array, expected: Float32Array, mask: Float32Array, before: Float32Array): void {
  for (let i = 0; i < expected.length; i++) {
    if (mask[i] === 0) {
      // Bit-exact: masked-out elements are untouched.
      expect(new Uint32Array(actual.buffer, i * 4, 1)[0]).toBe(new Uint32Array(before.buffer, i * 4, 1)[0]);
    } else {
      expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(expected[i]!)));
    }
  }
}

const adamAttrs = { lr: 1e-2, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1, step: 1 };
const sgdAttrs = { lr: 0.05, momentum: 0.9, weightDecay: 0.01, nesterov: false };

describeEachBackend('masked update ops', backends, () => {
  for (const n of [5, 1027]) {
    it(`AdamW matches the reference over 3 steps (n=${n})`, async () => {
      const p0 = data(n, 1, 'normal');
      const mask = data(n, 2, 'mask');
      const ref = { param: Float32Array.from(p0), m: new Float32Array(n), v: new Float32Array(n) };
      const slots = { param: variableFrom(p0), m: variableFrom(new Float32Array(n)), v: variableFrom(new Float32Array(n)) };
      const maskT = tf.tensor1d(mask);
      for (let step = 1; step <= 3; step++) {
        const g = data(n, 10 + step, 'normal');
        referenceMaskedAdamW(ref, g, mask, { ...adamAttrs, step });
        maskedAdamWUpdate(slots, tf.tensor1d(g), maskT, { ...adamAttrs, step });
      }
      expectClose(Float32Array.from(await slots.param.data()), ref.param, mask, p0);
      expectClose(Float32Array.from(await slots.v.data()), ref.v, mask, new Float32Array(n));
    });

    it(`SGD (momentum, nesterov) matches the reference over 3 steps (n=${n})`, async () => {
      for (const nesterov of [false, true]) {
        const p0 = data(n, 3, 'normal');
        const mask = data(n, 4, 'mask');
        const ref = { param: Float32Array.from(p0), buf: new Float32Array(n) };
        const slots = { param: variableFrom(p0), buf: variableFrom(new Float32Array(n)) };
        for (let step = 1; step <= 3; step++) {
          const g = data(n, 20 + step, 'normal');
          referenceMaskedSGD(ref, g, mask, { ...sgdAttrs, nesterov });
          maskedSGDUpdate(slots, tf.tensor1d(g), tf.tensor1d(mask), { ...sgdAttrs, nesterov });
        }
        expectClose(Float32Array.from(await slots.param.data()), ref.param, mask, p0);
      }
    });
  }

  it('does not write through a buffer shared with another tensor', async () => {
    const init = tf.tensor1d([1, 2, 3, 4]);
    const param = tf.variable(init, false); // shares init's buffer
    const slots = { param, m: variableFrom(new Float32Array(4)), v: variableFrom(new Float32Array(4)) };
    maskedAdamWUpdate(slots, tf.ones([4]), tf.ones([4]), adamAttrs);
    expect([...(await init.data())]).toEqual([1, 2, 3, 4]);
    expect((await param.data())[0]).not.toBe(1);
  });

  it('names the tensors on shape and dtype mismatch, and refuses aliasing', () => {
    const slots = { param: variableFrom(new Float32Array(4)), m: variableFrom(new Float32Array(4)), v: variableFrom(new Float32Array(3)) };
    expect(() => maskedAdamWUpdate(slots, tf.zeros([4]), tf.ones([4]), adamAttrs, 'blocks.0.w')).toThrow(
      /blocks\.0\.w.*"v" has shape \[3\], expected \[4\]/,
    );
    const ok = { param: variableFrom(new Float32Array(4)), buf: variableFrom(new Float32Array(4)) };
    expect(() => maskedSGDUpdate(ok, tf.zeros([4], 'int32'), tf.ones([4]), sgdAttrs)).toThrow(KernelInputError);
    expect(() => maskedSGDUpdate(ok, tf.zeros([4], 'int32'), tf.ones([4]), sgdAttrs)).toThrow(/"grad" has dtype int32/);
    expect(() => maskedSGDUpdate(ok, ok.param, tf.ones([4]), sgdAttrs)).toThrow(SharedBufferError);
  });
});

describe('composed masked updates (the fallback and benchmark baseline)', () => {
  it('match the reference on cpu', async () => {
    await tf.setBackend('cpu');
    const n = 257;
    const p0 = data(n, 5, 'normal');
    const g = data(n, 6, 'normal');
    const mask = data(n, 7, 'mask');
    const m0 = data(n, 8, 'normal');
    const v0 = data(n, 9, 'positive');
    const ref = { param: Float32Array.from(p0), m: Float32Array.from(m0), v: Float32Array.from(v0) };
    referenceMaskedAdamW(ref, g, mask, { ...adamAttrs, step: 4 });
    const out = composedMaskedAdamW(tf.tensor1d(p0), tf.tensor1d(g), tf.tensor1d(mask), tf.tensor1d(m0), tf.tensor1d(v0), { ...adamAttrs, step: 4 });
    expectClose(Float32Array.from(await out.param.data()), ref.param, mask, p0);
    expectClose(Float32Array.from(await out.m.data()), ref.m, mask, m0);
    const sref = { param: Float32Array.from(p0), buf: Float32Array.from(m0) };
    referenceMaskedSGD(sref, g, mask, { ...sgdAttrs, nesterov: true });
    const sout = composedMaskedSGD(tf.tensor1d(p0), tf.tensor1d(g), tf.tensor1d(mask), tf.tensor1d(m0), { ...sgdAttrs, nesterov: true });
    expectClose(Float32Array.from(await sout.param.data()), sref.param, mask, p0);
  });
});

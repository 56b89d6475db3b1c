// The SIMD kernel computes in float32 (the reference in float64), hence a tolerance: a few float32 ulps of
// the operands (momentum sums cancel, so the error is not relative to the result; observed max 2.7e-7).
// Masked-out elements are still checked bit for bit. The JS fallback (used where wasm SIMD or the heap's
// Memory is missing) runs the same cases.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachBackend, probeBackends } from '../../testing/backend_suites.ts';
import { MaskedAdamW } from '../kernel_names.ts';
import type { AttrsOf, MaskedAdamWAttrs } from '../kernel_names.ts';
import { referenceMaskedAdamW } from '../masked_update_reference.ts';
import { expectMatches, maskedAdamWCases, mixedMask, normal } from '../cpu/masked_kernel_suite.ts';
import { maskedUpdateOps, setForceJsFallback } from './masked_update_module.ts';
import { asWasmBackend, wasmHeapMemory } from './wasm_heap.ts';

const backends = await probeBackends(['wasm']);
const tolerance = { rtol: 1e-6, atol: 1e-6 };

function heapGrowthCase(): void {
  it('keeps working after tfjs grows its heap (same Memory, new ArrayBuffer)', async () => {
    const backend = asWasmBackend(tf.backend());
    maskedUpdateOps(backend); // instantiated before the growth
    const memory = wasmHeapMemory(backend)!;
    const before = memory.buffer.byteLength;
    const big = tf.zeros([before / 4 + 1]); // cannot fit in the current heap
    expect(memory.buffer.byteLength).toBeGreaterThan(before);
    const n = 1001;
    const mask = mixedMask(n, 30);
    const ref = { param: normal(n, 31), m: new Float32Array(n), v: new Float32Array(n) };
    const grad = normal(n, 32);
    const t = { param: tf.tensor(Float32Array.from(ref.param)), grad: tf.tensor(grad), mask: tf.tensor(mask),
      m: tf.zeros([n]), v: tf.zeros([n]) };
    const attrs: MaskedAdamWAttrs = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 };
    tf.engine().runKernel(MaskedAdamW, t, attrs as AttrsOf<MaskedAdamWAttrs>);
    referenceMaskedAdamW(ref, grad, mask, attrs);
    expectMatches('param', Float32Array.from(await t.param.data()), ref.param, normal(n, 31), mask, tolerance);
    tf.dispose([big, ...Object.values(t)]);
  });
}

describeEachBackend('MaskedAdamW kernel', backends, () => {
  it('runs the SIMD module on tfjs\'s own heap (not the fallback)', () => {
    expect(maskedUpdateOps(asWasmBackend(tf.backend())).kind).toBe('simd');
  });
  maskedAdamWCases(tolerance);
  heapGrowthCase();
  describe('JS fallback', () => {
    beforeAll(() => setForceJsFallback(true));
    afterAll(() => setForceJsFallback(false));
    maskedAdamWCases(tolerance);
    heapGrowthCase();
  });
});

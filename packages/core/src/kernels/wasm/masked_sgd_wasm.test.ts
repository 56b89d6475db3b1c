// The SIMD kernel computes in float32 (the reference in float64), hence a tolerance: a few float32 ulps of
// the operands (momentum sums cancel, so the error is not relative to the result; observed max 2.7e-7).
// Masked-out elements are still checked bit for bit. The JS fallback (used where wasm SIMD or the heap's Memory is missing)
// runs the same cases.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachBackend, probeBackends } from '../../testing/backend_suites.ts';
import { maskedSGDCases } from '../cpu/masked_kernel_suite.ts';
import { maskedUpdateOps, setForceJsFallback } from './masked_update_module.ts';
import { asWasmBackend } from './wasm_heap.ts';

const backends = await probeBackends(['wasm']);
const tolerance = { rtol: 1e-6, atol: 1e-6 };

describeEachBackend('MaskedSGD kernel', backends, () => {
  it('runs the SIMD module on tfjs\'s own heap (not the fallback)', () => {
    expect(maskedUpdateOps(asWasmBackend(tf.backend())).kind).toBe('simd');
  });
  maskedSGDCases(tolerance);
  describe('JS fallback', () => {
    beforeAll(() => setForceJsFallback(true));
    afterAll(() => setForceJsFallback(false));
    maskedSGDCases(tolerance);
  });
});

// The Sum wrapper: sums over a leading block of axes go to the native GEMM (where it is built), everything
// else to tfjs's kernel; both against a plain reference, keepDims or not.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend, probeBackends } from '../../testing/backend_suites.ts';
import { normal } from '../cpu/masked_kernel_suite.ts';
import { nativeGemm, nativeGemmStats, setNativeGemm } from './native_gemm.ts';
import type { NativeGemm } from './native_gemm.ts';

const backends = await probeBackends(['wasm']);
const loaded = nativeGemm();

/** Sum of x (row-major, `shape`) over `axes`, as a flat array in the output's order. */
function referenceSum(x: Float32Array, shape: number[], axes: number[]): number[] {
  const outShape = shape.filter((_, i) => !axes.includes(i));
  const out = new Array<number>(outShape.reduce((a, b) => a * b, 1)).fill(0);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  for (let flat = 0; flat < x.length; flat++) {
    let o = 0;
    for (let i = 0; i < shape.length; i++) {
      if (axes.includes(i)) continue;
      o = o * shape[i]! + (Math.floor(flat / strides[i]!) % shape[i]!);
    }
    out[o]! += x[flat]!;
  }
  return out;
}

const CASES: [number[], number | number[], boolean][] = [
  [[64, 30], 0, false], [[64, 30], [0], true], [[4, 5, 6], [0, 1], false], [[4, 5, 6], [-3], true],
  [[4, 5, 6], [1], false], [[64, 30], 1, false], [[7], 0, false], [[3, 4], [0, 1], false],
];

for (const mode of ['native GEMM', 'tfjs only'] as const) {
  describeEachBackend(`Sum wrapper (${mode})`, backends, () => {
    let saved: NativeGemm | undefined;
    beforeAll(() => {
      saved = nativeGemm();
      setNativeGemm(mode === 'native GEMM' ? loaded : undefined);
    });
    afterAll(() => setNativeGemm(saved));
    if (mode === 'native GEMM' && !loaded) {
      it.skip('skipped: native GEMM not built (npm run build:native)', () => {});
      return;
    }

    it.each(CASES)('sum of %j over %j (keepDims %s) matches the reference', async (shape, axis, keepDims) => {
      const data = normal(shape.reduce((a, b) => a * b, 1), 3);
      const x = tf.tensor(data, shape);
      const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + shape.length : a));
      const leading = axes.length < shape.length && [...axes].sort().every((a, i) => a === i);
      const calls = nativeGemmStats.calls;
      const out = tf.sum(x, axis, keepDims);
      expect(nativeGemmStats.calls - calls).toBe(mode === 'native GEMM' && leading ? 1 : 0);
      expect(out.shape).toEqual(keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i)));
      const got = await out.data();
      referenceSum(data, shape, axes).forEach((want, i) => expect(got[i]).toBeCloseTo(want, 3));
      tf.dispose([x, out]);
    });

    it('leaves int32 sums to tfjs', async () => {
      const x = tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32');
      const calls = nativeGemmStats.calls;
      expect(Array.from(await tf.sum(x, 0).data())).toEqual([4, 6]);
      expect(nativeGemmStats.calls).toBe(calls);
      x.dispose();
    });
  });
}

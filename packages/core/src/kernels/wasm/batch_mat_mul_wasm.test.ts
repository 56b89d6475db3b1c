// The BatchMatMul / _FusedMatMul wrappers against a naive float64 reference: every transpose combination,
// batched and broadcast shapes on both sides of the size threshold, and gradients through tf.grads.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend, probeBackends } from '../../testing/backend_suites.ts';
import { normal } from '../cpu/masked_kernel_suite.ts';
import { batchMatMulTuning, batchMatMulWasmConfig } from './batch_mat_mul_wasm.ts';
import { fusedMatMulWasmConfig } from './fused_mat_mul_wasm.ts';
import { threadedMatMulStats, threadedMatMulTuning, wasmPoolThreads } from './threaded_mat_mul_wasm.ts';
import { asWasmBackend } from './wasm_heap.ts';
import { maskedAdamWUpdate } from '../../ops/masked_update.ts';
import { nativeGemm, nativeGemmStats, setNativeGemm } from './native_gemm.ts';
import type { NativeGemm } from './native_gemm.ts';

const backends = await probeBackends(['wasm']);
const FLAGS = [[false, false], [false, true], [true, false], [true, true]] as const;

interface Host { data: Float32Array; shape: number[] }

/** The stored shape of an operand whose logical (untransposed) shape is [...outer, rows, cols]. */
const stored = (outer: number[], rows: number, cols: number, t: boolean) => [...outer, ...(t ? [cols, rows] : [rows, cols])];

function batchOf(coords: number[], outer: number[]): number {
  // Right-aligned broadcasting: size-1 dims (and missing leading dims) always read slice 0.
  let index = 0;
  const offset = coords.length - outer.length;
  outer.forEach((d, j) => { index = index * d + (d === 1 ? 0 : coords[j + offset]!); });
  return index;
}

function naiveMatMul(a: Host, b: Host, ta: boolean, tb: boolean): Host {
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = b.shape.slice(-2) as [number, number];
  const [M, K, N] = [ta ? ac : ar, ta ? ar : ac, tb ? br : bc];
  const aOuter = a.shape.slice(0, -2);
  const bOuter = b.shape.slice(0, -2);
  const rank = Math.max(aOuter.length, bOuter.length);
  const pad = (s: number[]) => [...Array(rank - s.length).fill(1), ...s] as number[];
  const outOuter = pad(aOuter).map((d, i) => Math.max(d, pad(bOuter)[i]!));
  const count = outOuter.reduce((x, y) => x * y, 1);
  const out = new Float32Array(count * M * N);
  for (let i = 0; i < count; i++) {
    const coords: number[] = [];
    for (let j = outOuter.length - 1, r = i; j >= 0; j--) { coords.unshift(r % outOuter[j]!); r = Math.floor(r / outOuter[j]!); }
    const ab = batchOf(coords, aOuter) * M * K;
    const bb = batchOf(coords, bOuter) * K * N;
    for (let r = 0; r < M; r++) {
      for (let c = 0; c < N; c++) {
        let sum = 0;
        for (let k = 0; k < K; k++) {
          sum += a.data[ab + (ta ? k * M + r : r * K + k)]! * b.data[bb + (tb ? c * K + k : k * N + c)]!;
        }
        out[(i * M + r) * N + c] = sum;
      }
    }
  }
  return { data: out, shape: [...outOuter, M, N] };
}

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  actual.forEach((x, i) => { worst = Math.max(worst, Math.abs(x - expected[i]!) / (1 + Math.abs(expected[i]!))); });
  expect(worst).toBeLessThan(1e-4);
}

function operands(aOuter: number[], bOuter: number[], M: number, K: number, N: number, ta: boolean, tb: boolean) {
  const aShape = stored(aOuter, M, K, ta);
  const bShape = stored(bOuter, K, N, tb);
  const a: Host = { data: normal(aShape.reduce((x, y) => x * y, 1), 1), shape: aShape };
  const b: Host = { data: normal(bShape.reduce((x, y) => x * y, 1), 2), shape: bShape };
  return { a, b, at: tf.tensor(a.data, aShape), bt: tf.tensor(b.data, bShape) };
}

// [aOuter, bOuter, M, K, N]: 2-D, batched, broadcast either way, folded ([B, M, K] x [K, N]), 4-D
// broadcast, and tiny products that stay on tfjs's own loop.
const CASES: [number[], number[], number, number, number][] = [
  [[], [], 40, 50, 30], [[], [], 3, 5, 4], [[3], [3], 40, 50, 30], [[1], [3], 40, 50, 30],
  [[3], [1], 40, 50, 30], [[3], [], 40, 50, 30], [[], [3], 40, 50, 30], [[2, 1], [1, 3], 20, 50, 40],
  [[4], [4], 3, 5, 2], [[1], [2], 3, 5, 4], [[2], [2], 1, 70, 600],
];

/** Every product case; run with the native GEMM off (the wasm paths) and on (where it is built). */
function productCases(): void {
  it('replaces tfjs\'s registered kernels', () => {
    expect(tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc).toBe(batchMatMulWasmConfig.kernelFunc);
    expect(tf.getKernel('_FusedMatMul', 'wasm')!.kernelFunc).toBe(fusedMatMulWasmConfig.kernelFunc);
    expect(40 * 50 * 30).toBeGreaterThan(batchMatMulTuning.minSliceWork); // the large cases do take the new paths
  });

  for (const [aOuter, bOuter, M, K, N] of CASES) {
    it(`matches the reference for [${aOuter}]x[${bOuter}] batches of ${M}x${K} @ ${K}x${N}, all transposes`, async () => {
      for (const [ta, tb] of FLAGS) {
        const { a, b, at, bt } = operands(aOuter, bOuter, M, K, N, ta, tb);
        const dataIds = tf.engine().backend.numDataIds();
        const out = tf.matMul(at, bt, ta, tb);
        const expected = naiveMatMul(a, b, ta, tb);
        expect(out.shape).toEqual(expected.shape);
        expectClose(Float32Array.from(await out.data()), expected.data);
        out.dispose();
        expect(tf.engine().backend.numDataIds()).toBe(dataIds); // transposed temporaries were freed
        tf.dispose([at, bt]);
      }
    });
  }

  it('gives tf.grads of matMul equal to the reference, for every transpose combination', async () => {
    const [M, K, N] = [40, 50, 30];
    const w = normal(M * N, 9);
    for (const [ta, tb] of FLAGS) {
      const { a, b, at, bt } = operands([], [], M, K, N, ta, tb);
      const loss = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, ta, tb), tf.tensor2d(w, [M, N])));
      const [da, db] = tf.grads(loss)([at, bt]);
      // d op(A) = W op(B)^T and d op(B) = op(A)^T W, transposed back to each operand's stored layout.
      const W: Host = { data: w, shape: [M, N] };
      const dOpA = naiveMatMul(W, b, false, !tb);
      const dOpB = naiveMatMul(a, W, !ta, false);
      expectClose(Float32Array.from(await da!.data()), ta ? naiveTranspose(dOpA) : dOpA.data);
      expectClose(Float32Array.from(await db!.data()), tb ? naiveTranspose(dOpB) : dOpB.data);
      tf.dispose([at, bt, da!, db!]);
    }
  });

  const ACTIVATIONS: Record<string, (x: number) => number> = {
    linear: (x) => x,
    relu: (x) => Math.max(0, x),
    relu6: (x) => Math.min(6, Math.max(0, x)),
    elu: (x) => (x > 0 ? x : Math.exp(x) - 1),
    sigmoid: (x) => 1 / (1 + Math.exp(-x)),
    leakyrelu: (x) => (x > 0 ? x : 0.3 * x),
    prelu: (x) => (x > 0 ? x : 0.2 * x),
  };

  // Batched fused products are where tfjs-wasm's own kernel is wrong (bias indexing), so batch 2 matters.
  it('runs tf.fused.matMul with bias and every activation, all transposes, batch 1 and 2', async () => {
    const [M, K, N] = [40, 50, 30];
    const bias = normal(N, 5);
    for (const [activation, f] of Object.entries(ACTIVATIONS)) {
      for (const [ta, tb] of FLAGS) {
        for (const batch of [1, 2]) {
          const { a, b, at, bt } = operands([batch], [batch], M, K, N, ta, tb);
          const biasT = tf.tensor1d(bias);
          const alpha = activation === 'prelu' ? tf.scalar(0.2) : undefined;
          const dataIds = tf.engine().backend.numDataIds();
          const out = tf.fused.matMul({
            a: at, b: bt, transposeA: ta, transposeB: tb, bias: biasT,
            activation: activation as tf.fused.Activation, leakyreluAlpha: 0.3, preluActivationWeights: alpha,
          });
          const ref = naiveMatMul(a, b, ta, tb).data.map((x, i) => f(x + bias[i % N]!));
          expectClose(Float32Array.from(await out.data()), ref);
          out.dispose();
          expect(tf.engine().backend.numDataIds()).toBe(dataIds); // intermediates were freed
          tf.dispose([at, bt, biasT, ...(alpha ? [alpha] : [])]);
        }
      }
    }
  });
}

/** Runs `cases` with the native GEMM set to `gemm` (undefined: off), restoring the loader's choice after. */
function withNativeGemm(gemm: NativeGemm | undefined, cases: () => void): void {
  let saved: NativeGemm | undefined;
  beforeAll(() => {
    saved = nativeGemm();
    setNativeGemm(gemm);
  });
  afterAll(() => setNativeGemm(saved));
  cases();
}

const loadedGemm = nativeGemm(); // set by the wasm loader (probeBackends above) when the module is built
const requireNative = typeof process !== 'undefined' && process.env.ROUTELAB_REQUIRE_NATIVE_BLAS === '1';

describeEachBackend('BatchMatMul wrapper, wasm paths (native GEMM off)', backends, () => withNativeGemm(undefined, productCases));

describeEachBackend('BatchMatMul wrapper, native GEMM (OpenBLAS)', backends, () => {
  if (!loadedGemm) {
    const why = 'native GEMM not built (npm run build:native)';
    if (requireNative) it(`is required here (ROUTELAB_REQUIRE_NATIVE_BLAS=1) but missing: ${why}`, () => expect(loadedGemm).toBeDefined());
    else it.skip(`skipped: ${why}`, () => {});
    return;
  }
  withNativeGemm(loadedGemm, () => {
    it('takes every float32 product, transposed and batched ones included', async () => {
      const calls = nativeGemmStats.calls;
      const { at, bt } = operands([2], [1], 8, 9, 10, true, true);
      tf.matMul(at, bt, true, true).dispose();
      expect(nativeGemmStats.calls).toBe(calls + 1);
      tf.dispose([at, bt]);
    });
    productCases();
    it('sees a weight written in place by the masked update', async () => {
      const init = tf.tensor2d([[1, 2], [3, 4]]);
      const w = tf.variable(init);
      init.dispose();
      const x = tf.tensor2d([[1, 1], [2, 0]]);
      expect(Array.from(await tf.matMul(x, w).data())).toEqual([4, 6, 2, 4]);
      const [m, v] = [tf.variable(tf.zeros([2, 2])), tf.variable(tf.zeros([2, 2]))];
      maskedAdamWUpdate({ param: w, m, v }, tf.ones([2, 2]), tf.ones([2, 2]), { lr: 0.5, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 });
      const y = await tf.matMul(x, w).data();
      [3, 5, 1, 3].forEach((want, i) => expect(y[i]).toBeCloseTo(want, 5));
      tf.dispose([w, x, m, v]);
    });
    it('rejects an operand outside the heap with a RangeError (never reads past it)', () => {
      const heap = new Float32Array(16);
      expect(() => loadedGemm.sgemm(heap, false, false, 4, 4, 4, 0, 8, 12)).toThrow(/outside the heap/);
      expect(() => loadedGemm.sgemm(heap, false, false, -1, 4, 4, 0, 0, 0)).toThrow(RangeError);
      expect(() => loadedGemm.sgemm(new Float64Array(4) as unknown as Float32Array, false, false, 1, 1, 1, 0, 1, 2)).toThrow(/Float32Array/);
    });
  });
});

// On the threaded build (Node's main thread with 2+ cores, as in CI) plain products go through the padded
// 1x1 convolution; minWork 1 sends even these small ones there.
describeEachBackend('BatchMatMul on the wasm thread pool', backends, () => withNativeGemm(undefined, () => {
  const poolThreads = () => wasmPoolThreads(asWasmBackend(tf.backend()));
  const saved = threadedMatMulTuning.minWork;
  beforeAll(() => void (threadedMatMulTuning.minWork = 1));
  afterAll(() => void (threadedMatMulTuning.minWork = saved));

  it('has a pool of 2 or more threads here (else the cases below are skipped: a single-core machine)', () => {
    if (poolThreads() < 2) console.warn('wasm pool has 1 thread: threaded matMul cases skipped');
    expect(poolThreads()).toBeGreaterThanOrEqual(1);
  });

  it.each([[40, 50, 30], [1, 70, 600], [97, 13, 5]])('matches the reference for %ix%i @ %ix? (all transposes), on the pool', async (M, K, N) => {
    if (poolThreads() < 2) return;
    for (const [ta, tb] of FLAGS) {
      const { a, b, at, bt } = operands([], [], M, K, N, ta, tb);
      const calls = threadedMatMulStats.calls;
      const dataIds = tf.engine().backend.numDataIds();
      const out = tf.matMul(at, bt, ta, tb);
      expect(threadedMatMulStats.calls).toBe(calls + 1);
      expect(out.shape).toEqual([M, N]);
      expectClose(Float32Array.from(await out.data()), naiveMatMul(a, b, ta, tb).data);
      out.dispose();
      expect(tf.engine().backend.numDataIds()).toBe(dataIds); // the padded product and transposes were freed
      tf.dispose([at, bt]);
    }
  });

  it('sees a weight written in place by the masked update (the convolution caches a packed copy of its filter)', async () => {
    if (poolThreads() < 2) return;
    const init = tf.tensor2d([[1, 2], [3, 4]]);
    const w = tf.variable(init);
    init.dispose(); // w now owns its buffer, so the update writes it in place
    const x = tf.tensor2d([[1, 1], [2, 0]]);
    expect(Array.from(await tf.matMul(x, w).data())).toEqual([4, 6, 2, 4]);
    const [m, v] = [tf.variable(tf.zeros([2, 2])), tf.variable(tf.zeros([2, 2]))];
    const dataId = w.dataId;
    // First AdamW step with zero moments: every element moves by lr * sign(grad) = -0.5.
    maskedAdamWUpdate({ param: w, m, v }, tf.ones([2, 2]), tf.ones([2, 2]), { lr: 0.5, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 });
    expect(w.dataId).toBe(dataId); // written in place
    const y = await tf.matMul(x, w).data();
    [3, 5, 1, 3].forEach((want, i) => expect(y[i]).toBeCloseTo(want, 5));
    tf.dispose([w, x, m, v]);
  });
}));

function naiveTranspose(m: Host): Float32Array {
  const [r, c] = m.shape as [number, number];
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = m.data[i * c + j]!;
  return out;
}

// The threaded wasm build in Node: how many threads are asked for, and that the backend really runs on the
// threaded build (shared heap, XNNPACK pool of 2) with routelab's SIMD kernels and correct results.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { availableParallelism } from 'node:os';
import { MAX_WASM_THREADS, WASM_THREADS_ENV, threadedWasmStatus, wasmThreadsWanted } from './wasm_threads_node.ts';
import { selectBackend } from './select_backend.ts';
import { asWasmBackend, wasmHeapMemory } from '../kernels/wasm/wasm_heap.ts';
import { maskedUpdateOps } from '../kernels/wasm/masked_update_module.ts';

describe('wasmThreadsWanted', () => {
  it('is one per core on the main thread and 1 in a worker thread by default', () => {
    expect(wasmThreadsWanted({}, true)).toBe(Math.min(MAX_WASM_THREADS, availableParallelism()));
    expect(wasmThreadsWanted({}, false)).toBe(1);
  });

  it(`takes ${WASM_THREADS_ENV}, capped at the build's ${MAX_WASM_THREADS} workers`, () => {
    expect(wasmThreadsWanted({ [WASM_THREADS_ENV]: '3' }, false)).toBe(3);
    expect(wasmThreadsWanted({ [WASM_THREADS_ENV]: ' 1 ' }, true)).toBe(1);
    expect(wasmThreadsWanted({ [WASM_THREADS_ENV]: '64' }, true)).toBe(MAX_WASM_THREADS);
  });

  it.each(['0', '-2', '1.5', 'two', 'NaN'])('rejects %j, naming the variable', (text) => {
    expect(() => wasmThreadsWanted({ [WASM_THREADS_ENV]: text }, true)).toThrow(
      new RegExp(`${WASM_THREADS_ENV}="${text.replace('.', '\\.')}": expected a positive integer`),
    );
  });
});

describe('the wasm backend with ROUTELAB_WASM_THREADS=2', () => {
  const saved = process.env[WASM_THREADS_ENV];
  beforeAll(async () => {
    process.env[WASM_THREADS_ENV] = '2';
    await selectBackend('wasm');
  });
  afterAll(() => {
    if (saved === undefined) delete process.env[WASM_THREADS_ENV];
    else process.env[WASM_THREADS_ENV] = saved;
  });

  it('runs tfjs threaded build with a pool of 2 and a shared heap', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(threadedWasmStatus()).toEqual({ threads: 2 });
    const memory = wasmHeapMemory(asWasmBackend(tf.backend()));
    expect(memory?.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it("uses routelab's SIMD masked-update kernels on the shared heap (the wasm kernel suites check their results)", () => {
    expect(maskedUpdateOps(asWasmBackend(tf.backend())).kind).toBe('simd');
  });

  it('multiplies and convolves like the single-threaded cpu backend', async () => {
    const a = tf.randomUniform([96, 130], -1, 1, 'float32', 3) as tf.Tensor2D;
    const b = tf.randomUniform([130, 70], -1, 1, 'float32', 4) as tf.Tensor2D;
    const x = tf.randomUniform([2, 9, 9, 16], -1, 1, 'float32', 5) as tf.Tensor4D;
    const f = tf.randomUniform([3, 3, 16, 24], -1, 1, 'float32', 6) as tf.Tensor4D;
    const wasmResults = [await tf.matMul(a, b).data(), await tf.matMul(a, b.transpose(), false, true).data(), await tf.conv2d(x, f, 1, 'same').data()];
    const inputs = await Promise.all([a, b, x, f].map((t) => t.data()));
    await tf.setBackend('cpu');
    const [ca, cb, cx, cf] = [tf.tensor2d(inputs[0]!, a.shape), tf.tensor2d(inputs[1]!, b.shape), tf.tensor4d(inputs[2]!, x.shape), tf.tensor4d(inputs[3]!, f.shape)];
    const cpuResults = [await tf.matMul(ca, cb).data(), await tf.matMul(ca, cb).data(), await tf.conv2d(cx, cf, 1, 'same').data()];
    await tf.setBackend('wasm');
    for (const [i, got] of wasmResults.entries()) {
      const want = cpuResults[i]!;
      let worst = 0;
      for (let j = 0; j < want.length; j++) worst = Math.max(worst, Math.abs(got[j]! - want[j]!));
      expect(worst).toBeLessThan(1e-4);
    }
  });
});

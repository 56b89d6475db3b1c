import { beforeAll, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../../backends/load_backend.ts';
import { probeBackends } from '../../testing/backend_suites.ts';

const [wasm] = await probeBackends(['wasm']);

beforeAll(async () => {
  if (wasm?.available) await useBackend('wasm');
});

it.skipIf(!wasm?.available)('GatherV2 on wasm gathers rows and inner axes, float32 and int32, like tfjs on cpu', async () => {
  const x = Float32Array.from({ length: 2 * 5 * 3 }, (_, i) => i * 0.5 - 3);
  const cases: [number[], number, number[]][] = [[[2, 5, 3], 1, [4, 0, 4, 2]], [[10, 3], 0, [9, 0, 3]], [[2, 15], 1, [14, 1]], [[2, 5, 3], -1, [2, 0]]];
  for (const [shape, axis, idx] of cases) {
    const run = (dtype: 'float32' | 'int32') => tf.gather(tf.tensor(dtype === 'int32' ? Int32Array.from(x, (v) => Math.round(v * 2)) : x, shape, dtype), tf.tensor1d(idx, 'int32'), axis);
    for (const dtype of ['float32', 'int32'] as const) {
      const got = run(dtype);
      await useBackend('cpu');
      const want = run(dtype);
      const wantValues = Array.from(await want.data());
      await useBackend('wasm');
      expect(got.shape).toEqual(want.shape);
      expect(got.dtype).toBe(dtype);
      expect(Array.from(await got.data())).toEqual(wantValues);
    }
  }
  const nested = tf.gather(tf.tensor2d([[1, 2], [3, 4], [5, 6]]), tf.tensor2d([[2, 0], [1, 1]], [2, 2], 'int32'));
  expect(nested.shape).toEqual([2, 2, 2]);
  expect(Array.from(await nested.data())).toEqual([5, 6, 1, 2, 3, 4, 3, 4]);
  expect(() => tf.gather(tf.tensor1d([1, 2]), tf.tensor1d([2], 'int32'))).toThrow(/GatherV2: index 2 at position 0 is not in \[0, 1\]/);
});

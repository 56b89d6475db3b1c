import { beforeAll, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../../backends/load_backend.ts';
import { probeBackends } from '../../testing/backend_suites.ts';

const [wasm] = await probeBackends(['wasm']);

beforeAll(async () => {
  if (wasm?.available) await useBackend('wasm');
});

it.skipIf(!wasm?.available)('OneHot honours float32 on wasm (tfjs writes int32 bits) and keeps int32 working', async () => {
  const indices = tf.tensor1d([0, 2, 1], 'int32');
  const f = tf.oneHot(indices, 3, 1, 0, 'float32');
  expect(f.dtype).toBe('float32');
  expect(Array.from(await f.data())).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 0]);
  expect(Array.from(await tf.sum(f).data())).toEqual([3]);
  const i = tf.oneHot(indices, 3, 5, -1, 'int32');
  expect(Array.from(await i.data())).toEqual([5, -1, -1, -1, -1, 5, -1, 5, -1]);
  const onOff = tf.oneHot(indices, 3, 0.5, 0.25, 'float32');
  expect(Array.from(await onOff.data())).toEqual([0.5, 0.25, 0.25, 0.25, 0.25, 0.5, 0.25, 0.5, 0.25]);
});

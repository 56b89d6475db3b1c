import { beforeAll, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../../backends/load_backend.ts';
import { probeBackends } from '../../testing/backend_suites.ts';

const [wasm] = await probeBackends(['wasm']);

beforeAll(async () => {
  if (wasm?.available) await useBackend('wasm');
});

/** op on wasm and on cpu, values and shapes compared exactly. */
async function sameAsCpu(op: () => tf.Tensor | tf.Tensor[]): Promise<void> {
  const read = async () => Promise.all([op()].flat().map(async (t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(await t.data()) })));
  const got = await read();
  await useBackend('cpu');
  const want = await read();
  await useBackend('wasm');
  expect(got).toEqual(want);
}

it.skipIf(!wasm?.available)('Slice and SplitV on wasm copy the same blocks as tfjs on cpu, every rank and dtype', async () => {
  const values = Array.from({ length: 3 * 4 * 5 * 2 }, (_, i) => i - 7);
  for (const dtype of ['float32', 'int32', 'bool'] as const) {
    const x = () => tf.tensor(dtype === 'bool' ? values.map((v) => v % 3 === 0) : values, [3, 4, 5, 2], dtype);
    await sameAsCpu(() => tf.slice(x(), [1, 0, 2, 0], [2, 4, 3, 2]));
    await sameAsCpu(() => tf.slice(x(), [0, 1, 0, 1], [-1, 2, -1, 1]));
    await sameAsCpu(() => tf.slice(x(), [2, 0, 0, 0], [1, -1, -1, -1]));
    await sameAsCpu(() => tf.slice(tf.reshape(x(), [12, 10]), [3, 4], [5, 6]));
    await sameAsCpu(() => tf.slice(tf.reshape(x(), [120]), 7, 50));
    await sameAsCpu(() => tf.slice(x(), [0, 0, 0, 0], [3, 0, 5, 2]));
    await sameAsCpu(() => tf.split(x(), [1, 3], 1));
    await sameAsCpu(() => tf.split(x(), 5, 2));
    await sameAsCpu(() => tf.split(x(), [2, -1], -1));
  }
});

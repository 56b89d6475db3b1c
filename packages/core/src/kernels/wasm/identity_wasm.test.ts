import { beforeAll, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../../backends/load_backend.ts';
import { probeBackends } from '../../testing/backend_suites.ts';
import { maskedAdamWUpdate } from '../../ops/masked_update.ts';

const [wasm] = await probeBackends(['wasm']);

beforeAll(async () => {
  if (wasm?.available) await useBackend('wasm');
});

const refCount = (t: tf.Tensor) => tf.engine().backend.refCount(t.dataId);

it.skipIf(!wasm?.available)('Identity on wasm shares the buffer; the clone outlives its source and strings still copy', async () => {
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  const y = tf.clone(x);
  expect(y.dataId).toBe(x.dataId);
  expect(refCount(x)).toBe(2);
  x.dispose();
  expect(refCount(y)).toBe(1);
  expect(Array.from(await y.data())).toEqual([1, 2, 3, 4]);
  y.dispose();
  const s = tf.clone(tf.tensor1d(['a', 'b'], 'string'));
  expect(await s.data()).toEqual(['a', 'b']);
});

it.skipIf(!wasm?.available)('an in-place update of a variable never reaches a clone of it, nor a tensor autodiff saved', async () => {
  const w = tf.variable(tf.tensor1d([1, 2, 3]));
  const snapshot = tf.clone(w);
  const slots = { param: w, m: tf.variable(tf.zeros([3])), v: tf.variable(tf.zeros([3])) };
  const grad = tf.tensor1d([1, 1, 1]);
  maskedAdamWUpdate(slots, grad, tf.ones([3]), { lr: 0.5, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 }, 'w');
  expect(Array.from(await snapshot.data())).toEqual([1, 2, 3]);
  expect(Array.from(await w.data()).every((v, i) => v < [1, 2, 3][i]!)).toBe(true);
  // The gradient of a product reads the saved weight; the update after it must not have changed it.
  const x = tf.tensor2d([[2, 0, 1]]);
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(tf.matMul(x, w.reshape([3, 1])), w.reshape([3, 1]).sum())) as tf.Scalar, [w]);
  const expected = tf.tidy(() => {
    const wv = w.reshape([3, 1]);
    const xw = tf.matMul(x, wv).sum();
    return tf.add(tf.mul(x.reshape([3]), wv.sum()), xw);
  });
  expect(Array.from(await grads[w.name]!.data())).toEqual(Array.from(await expected.data()));
});

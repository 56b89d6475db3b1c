import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeEachBackend, probeBackends } from '../../testing/backend_suites.ts';
import { addWithoutSaving, reshapeWithoutSaving } from './without_saving.ts';

const backends = await probeBackends();

/** Tensors alive right after `op` runs under a gradient recording, minus before (its output and what it saved). */
function newTensorsWhileRecording(x: tf.Tensor, op: (x: tf.Tensor) => tf.Tensor): number {
  let added = 0;
  const g = tf.grad((xi: tf.Tensor) => {
    const before = tf.memory().numTensors;
    const y = op(xi);
    added = tf.memory().numTensors - before;
    return tf.sum(tf.mul(y, y));
  })(x);
  g.dispose();
  return added;
}

describeEachBackend('ops that keep only shapes for the gradient', backends, () => {
  it('reshapeWithoutSaving and addWithoutSaving give tf.reshape\'s and tf.add\'s values and gradients', async () => {
    const x = tf.tensor2d(Array.from({ length: 12 }, (_, i) => Math.sin(i)), [3, 4]);
    const b = tf.tensor2d(Array.from({ length: 12 }, (_, i) => Math.cos(i)), [3, 4]);
    const weights = tf.tensor3d(Array.from({ length: 12 }, (_, i) => i - 5), [2, 3, 2]);
    const loss = (reshape: typeof tf.reshape, add: typeof tf.add) => (xi: tf.Tensor, bi: tf.Tensor) =>
      tf.sum(tf.mul(tf.square(reshape(add(xi, bi), [2, 3, 2])), weights));
    const mine = tf.grads(loss(reshapeWithoutSaving as typeof tf.reshape, addWithoutSaving as typeof tf.add))([x, b]);
    const theirs = tf.grads(loss(tf.reshape, tf.add))([x, b]);
    for (let i = 0; i < 2; i++) expect(Array.from(await mine[i]!.data())).toEqual(Array.from(await theirs[i]!.data()));
    expect(Array.from(await reshapeWithoutSaving(addWithoutSaving(x, b), [12]).data())).toEqual(Array.from(await tf.reshape(tf.add(x, b), [12]).data()));
    tf.dispose([x, b, weights, ...mine, ...theirs]);
  });

  it('keep nothing of their inputs for the backward pass (tfjs\'s ops keep a clone), and leak nothing', () => {
    const x = tf.ones([4, 6]);
    const before = tf.memory().numTensors;
    expect(newTensorsWhileRecording(x, (t) => tf.reshape(t, [24]))).toBe(2);
    expect(newTensorsWhileRecording(x, (t) => reshapeWithoutSaving(t, [24]))).toBe(1);
    expect(newTensorsWhileRecording(x, (t) => addWithoutSaving(t, t))).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('addWithoutSaving refuses to broadcast', () => {
    const [a, b] = [tf.ones([2, 3]), tf.ones([3])];
    expect(() => addWithoutSaving(a, b)).toThrow(/addWithoutSaving: a \[2, 3\] and b \[3\] must have one shape/);
    tf.dispose([a, b]);
  });
});

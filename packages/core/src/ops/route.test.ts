import { describe, expect, it } from 'vitest';
import { describeEachBackend, probeBackends } from '../testing/backend_suites.ts';
import * as tf from '@tensorflow/tfjs-core';
import { route, stopGradient } from './route.ts';

const backends = await probeBackends(['cpu', 'wasm', 'webgpu']);

/** The explicit form from the gradient routing paper: m * x + (1 - m) * stopGradient(x). */
function explicitRoute(x: tf.Tensor, m: tf.Tensor): tf.Tensor {
  return tf.add(tf.mul(m, x), tf.mul(tf.sub(1, m), stopGradient(x)));
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]!)));
}

describeEachBackend('route', backends, () => {
  const x = () => tf.tensor3d([...Array(24).keys()].map((i) => Math.sin(i)), [2, 3, 4]);
  // Per-token mask [batch, pos, 1] with soft and negative weights.
  const tokenMask = () => tf.tensor3d([1, 0, 0.5, -0.75, 0.25, 1], [2, 3, 1]);
  // A downstream function so that dy is not all ones.
  const downstream = (y: tf.Tensor) => tf.sum(tf.mul(tf.square(y), tf.reshape(tf.range(0, 24), [2, 3, 4]))) as tf.Scalar;

  it('is the identity in the forward pass', async () => {
    const input = x();
    close(await route(input, tokenMask()).data(), await input.data(), 0);
  });

  it('multiplies the gradient by the mask, like the explicit stop-gradient form', async () => {
    const mask = tokenMask();
    const gRouted = tf.grad((v: tf.Tensor) => downstream(route(v, mask)))(x());
    const gExplicit = tf.grad((v: tf.Tensor) => downstream(explicitRoute(v, mask)))(x());
    const gPlain = tf.grad((v: tf.Tensor) => downstream(v))(x());
    close(await gRouted.data(), await gExplicit.data());
    close(await gRouted.data(), await tf.mul(gPlain, mask).data());
  });

  it('matches finite differences of the routed surrogate m * f(x)', async () => {
    // For a linear downstream sum(c * y), d/dx = m * c. Check numerically against f evaluated at x +- h.
    const mask = tf.tensor1d([1, 0, 0.3, -0.5]);
    const c = tf.tensor1d([2, -1, 0.5, 3]);
    const x0 = tf.tensor1d([0.1, 0.2, 0.3, 0.4]);
    const g = await tf.grad((v: tf.Tensor) => tf.sum(tf.mul(c, route(v, mask))) as tf.Scalar)(x0).data();
    const h = 1e-2;
    const cm = await tf.mul(c, mask).data();
    for (let i = 0; i < 4; i++) {
      const e = tf.reshape(tf.oneHot(tf.tensor1d([i], 'int32'), 4), [4]);
      const f = async (s: number) =>
        (await tf.sum(tf.mul(tf.mul(c, mask), tf.add(x0, tf.mul(e, s)))).data())[0]!;
      expect(g[i]!).toBeCloseTo(((await f(h)) - (await f(-h))) / (2 * h), 3);
      expect(g[i]!).toBeCloseTo(cm[i]!, 5);
    }
  });

  it('a scalar mask of 1 is a no-op and 0 blocks the gradient', async () => {
    const g0 = await tf.grad((v: tf.Tensor) => downstream(route(v, 0)))(x()).data();
    expect([...g0].every((v) => v === 0)).toBe(true);
    const input = x();
    expect(route(input, 1)).toBe(input);
  });
});

describe('stopGradient', () => {
  it('passes values and blocks gradients', async () => {
    await tf.setBackend('cpu');
    const v = tf.tensor1d([1, 2, 3]);
    const g = await tf.grad((t: tf.Tensor) => tf.sum(tf.mul(stopGradient(t), t)) as tf.Scalar)(v).data();
    expect([...g]).toEqual([1, 2, 3]);
  });
});

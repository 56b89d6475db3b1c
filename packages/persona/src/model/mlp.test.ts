import { Rng, tf } from '@routelab/core';
import { describeEachBackend, probeBackends } from '@routelab/core/testing';
import { expect, it } from 'vitest';
import { gelu, Mlp } from './mlp.ts';
import { maxAbsDiff, values } from './test_helpers.ts';

const backends = await probeBackends(['cpu', 'wasm']);

/** GELU through autodiff of erf: the reference for the hand-written gradient. */
const referenceGelu = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));

describeEachBackend('Mlp', backends, () => {
  it('gelu matches x * Phi(x) in value and gradient', async () => {
    const x = tf.linspace(-4, 4, 33);
    const weights = tf.linspace(0.5, 2, 33);
    expect(maxAbsDiff(await values(gelu(x)), await values(referenceGelu(x)))).toBeLessThan(1e-6);
    const known = await values(gelu(tf.tensor1d([0, 1, -1])));
    [0, 0.8413447, -0.1586553].forEach((v, i) => expect(known[i]).toBeCloseTo(v, 6));
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gelu(t), weights)))(x);
    const ref = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(referenceGelu(t), weights)))(x);
    expect(maxAbsDiff(await values(g), await values(ref))).toBeLessThan(1e-5);
  });

  it('splits the output into the original and expanded contributions, summed after their hooks', async () => {
    const init = { std: 0.5, outStd: 0.5, expandedOutStd: 0.5 };
    const mlp = new Mlp(Rng.fromSeed(1), { dModel: 4, dMlp: 6, expanded: 3 }, init);
    const x = tf.tensor3d(Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i)), [2, 3, 4]);
    const out = await values(mlp.forward(x));
    // By hand: hidden units through their own output weights.
    const hidden = referenceGelu(tf.add(tf.matMul(tf.reshape(x, [6, 4]), tf.concat([mlp.w_in, mlp.w_in_expanded!], 1)), tf.concat([mlp.b_in, mlp.b_in_expanded!])));
    const original = tf.add(tf.matMul(tf.slice(hidden, [0, 0], [6, 6]), mlp.w_out), mlp.b_out);
    const extra = tf.matMul(tf.slice(hidden, [0, 6], [6, 3]), mlp.w_out_expanded!);
    expect(maxAbsDiff(out, await values(tf.add(original, extra)))).toBeLessThan(1e-5);
    expect(mlp.namedParameters().map(([n]) => n)).toEqual(['w_in', 'b_in', 'w_in_expanded', 'b_in_expanded', 'w_out', 'b_out', 'w_out_expanded']);
    mlp.dispose();
  });
});

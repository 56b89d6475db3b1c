import { beforeAll, expect, it } from 'vitest';
import { tf, useBackend, withHooks } from '@routelab/core';
import { ablationHooks, ablationTargetSchema, unitMeans } from './ablation.ts';
import { inputs, TinyNet } from './test_fixture.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

it('zero ablation removes the units contribution and leaves the parameters alone', async () => {
  const net = new TinyNet();
  const target = ablationTargetSchema.parse({ hook: 'hidden', units: [2, 4] });
  const { hooks, dispose } = ablationHooks([target]);
  let seen: Float32Array | undefined;
  const out = withHooks(net, [...hooks, ['hidden', (x: tf.Tensor) => void x.data().then((d) => (seen = Float32Array.from(d)))]], () =>
    net.forward(inputs()),
  );
  await out.data();
  expect(seen).toBeDefined();
  for (let row = 0; row < 4; row++) expect([seen![row * 4 + 2], seen![row * 4 + 3]]).toEqual([0, 0]);
  // Equivalent to zeroing rows 2-3 of w2.
  const w2 = await net.w2.array() as number[][];
  const zeroed = tf.tensor2d(w2.map((r, i) => (i >= 2 ? [0, 0] : r)));
  const expected = tf.matMul(tf.matMul(inputs(), net.w1), zeroed);
  const a = await out.data();
  const b = await expected.data();
  for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 6);
  dispose();
});

it('mean ablation replaces units by their mean over reference data', async () => {
  const net = new TinyNet();
  const means = await unitMeans(net, 'hidden', () => void net.forward(inputs()));
  const hidden = await tf.mean(tf.matMul(inputs(), net.w1), 0).data();
  for (let i = 0; i < 4; i++) expect(means[i]).toBeCloseTo(hidden[i]!, 6);
  const { hooks, dispose } = ablationHooks([ablationTargetSchema.parse({ hook: 'hidden', units: [0, 1], mode: 'mean' })], new Map([['hidden', means]]));
  let seen: number[] = [];
  const out = withHooks(net, [...hooks, ['hidden', (x: tf.Tensor) => void x.data().then((d) => (seen = Array.from(d)))]], () => net.forward(inputs()));
  await out.data();
  for (let row = 0; row < 4; row++) expect(seen[row * 4]).toBeCloseTo(means[0]!, 6);
  dispose();
  const missing = ablationHooks([ablationTargetSchema.parse({ hook: 'hidden', units: [0, 1], mode: 'mean' })]);
  expect(() => withHooks(net, missing.hooks, () => net.forward(inputs()))).toThrow(/mode 'mean' needs unit means/);
});

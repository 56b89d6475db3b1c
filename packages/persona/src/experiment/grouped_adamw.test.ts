import { MaskedAdamW, tf, useBackend } from '@routelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GroupedAdamW } from './grouped_adamw.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

const GRADS = [Float32Array.of(0.5, -2, 3, 0.1), Float32Array.of(-1, 1, 0.25, 4), Float32Array.of(2, 2, -2, -0.5)];

function params(): [string, tf.Variable][] {
  return [
    ['a', tf.variable(tf.tensor1d([1, 2, 3, 4]))],
    ['b', tf.variable(tf.tensor1d([-1, 0, 1, 2]))],
  ];
}

async function run(optimizer: { step(g: Record<string, tf.Tensor>, m?: Record<string, tf.Tensor>): Promise<void> }, vars: [string, tf.Variable][], grads = GRADS, scaleOf?: (g: Float32Array[]) => number) {
  for (const g of grads) {
    const scale = scaleOf?.([g, g]) ?? 1;
    const t = Object.fromEntries(vars.map(([n], i) => [n, tf.tensor1d(g.map((x) => x * scale * (i + 1)))]));
    await optimizer.step(t);
    tf.dispose(Object.values(t));
  }
  return Promise.all(vars.map(async ([, v]) => Array.from(await v.data())));
}

describe('GroupedAdamW', () => {
  it('without schedule or clipping is AdamW (same as MaskedAdamW)', async () => {
    const [va, vb] = [params(), params()];
    const reference = new MaskedAdamW(va, { lr: 0.1, weightDecay: 0.01 });
    const grouped = new GroupedAdamW(vb, { lr: 0.1, weightDecay: 0.01 });
    const [x, y] = [await run(reference, va), await run(grouped, vb)];
    x.forEach((row, i) => row.forEach((v, j) => expect(y[i]![j]).toBeCloseTo(v, 6)));
    expect(grouped.iterations).toBe(3);
    reference.dispose();
    grouped.dispose();
  });

  it('scales the learning rate of a group', async () => {
    const vars = params();
    const grouped = new GroupedAdamW(vars, { lr: 0.01, lrMultiplier: (n) => (n === 'b' ? 10 : 1) });
    const before = await Promise.all(vars.map(async ([, v]) => Array.from(await v.data())));
    const after = await run(grouped, vars, GRADS.slice(0, 1));
    // Adam's first step moves every element by lr (the gradient's sign) when |g| >> eps.
    after[0]!.forEach((v, j) => expect(Math.abs(v - before[0]![j]!)).toBeCloseTo(0.01, 5));
    after[1]!.forEach((v, j) => expect(Math.abs(v - before[1]![j]!)).toBeCloseTo(0.1, 5));
    grouped.dispose();
  });

  it('warms up linearly, then decays by a cosine to minLrFraction', () => {
    const o = new GroupedAdamW(params(), { lr: 1, warmupSteps: 4, decaySteps: 14, minLrFraction: 0.2 });
    expect([1, 2, 4].map((s) => o.scheduleFactor(s))).toEqual([0.25, 0.5, 1]);
    expect(o.scheduleFactor(9)).toBeCloseTo(0.6, 10);
    expect(o.scheduleFactor(14)).toBeCloseTo(0.2, 10);
    expect(o.scheduleFactor(100)).toBeCloseTo(0.2, 10);
    expect(new GroupedAdamW(params(), { lr: 1 }).scheduleFactor(7)).toBe(1);
  });

  it('clips the global gradient norm', async () => {
    const [va, vb] = [params(), params()];
    const maxNorm = 0.5;
    // The global norm over both parameters (b's gradient is twice a's).
    const norm = (g: Float32Array) => Math.sqrt(5 * g.reduce((s, x) => s + x * x, 0));
    const reference = new MaskedAdamW(va, { lr: 0.1, weightDecay: 0 });
    const clipped = new GroupedAdamW(vb, { lr: 0.1, maxGradNorm: maxNorm });
    const x = await run(reference, va, GRADS, ([g]) => Math.min(1, maxNorm / (norm(g!) + 1e-6)));
    const y = await run(clipped, vb);
    x.forEach((row, i) => row.forEach((v, j) => expect(y[i]![j]).toBeCloseTo(v, 5)));
    reference.dispose();
    clipped.dispose();
  });

  it('honours update masks and restores its state exactly', async () => {
    const vars = params();
    const o = new GroupedAdamW(vars, { lr: 0.1, warmupSteps: 2, decaySteps: 6, maxGradNorm: 1 });
    await run(o, vars, GRADS.slice(0, 2));
    const state = Object.fromEntries([...o.stateTensors()].map(([k, v]) => [k, tf.clone(v)]));
    const weights = vars.map(([n, v]) => [n, tf.variable(tf.clone(v))] as [string, tf.Variable]);
    const resumed = new GroupedAdamW(weights, { lr: 0.1, warmupSteps: 2, decaySteps: 6, maxGradNorm: 1 });
    resumed.restoreState(state, o.iterations);
    expect(await run(resumed, weights, GRADS.slice(2))).toEqual(await run(o, vars, GRADS.slice(2)));
    const before = Array.from(await vars[0]![1].data());
    const g = { a: tf.tensor1d([1, 1, 1, 1]), b: tf.tensor1d([1, 1, 1, 1]) };
    await o.step(g, { a: tf.tensor1d([0, 1, 0, 1]), b: tf.tensor1d([1, 1, 1, 1]) });
    const after = Array.from(await vars[0]![1].data());
    expect([after[0], after[2]]).toEqual([before[0], before[2]]);
    expect(after[1]).not.toBe(before[1]);
    tf.dispose([...Object.values(state), ...Object.values(g)]);
    o.dispose();
    resumed.dispose();
  });
});

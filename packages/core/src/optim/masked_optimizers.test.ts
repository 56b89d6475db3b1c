import { expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { describeEachBackend, probeBackends } from '../testing/backend_suites.ts';
import { MaskedAdamW } from './masked_adamw.ts';
import { MaskedSGD } from './masked_sgd.ts';
import { NonFiniteGradientError, OptimizerConfigError } from './masked_optimizer.ts';

const backends = await probeBackends(['cpu', 'wasm', 'webgpu']);

function model() {
  const w = tf.variable(tf.tensor2d([[0.5, -0.2], [0.1, 0.3]]), true, undefined);
  const b = tf.variable(tf.zeros([2]));
  return { params: [['layer.w', w], ['layer.b', b]] as [string, tf.Variable][], w, b };
}
const x = () => tf.tensor2d([[1, 2], [3, -1], [0.5, 0.5]]);
const y = () => tf.tensor2d([[1, 0], [0, 1], [1, 1]]);

describeEachBackend('masked optimisers', backends, () => {
  it('MaskedAdamW.minimize lowers the loss and leaves masked-out weights untouched', async () => {
    const { params, w } = model();
    const mask = tf.tensor2d([[1, 0], [1, 0]]); // column 1 of w is frozen
    const opt = new MaskedAdamW(params, { lr: 0.05, masks: { 'layer.w': mask } });
    const before = await w.data();
    const loss = () => tf.losses.meanSquaredError(y(), tf.add(tf.matMul(x(), w), params[1]![1])) as tf.Scalar;
    const first = await opt.minimize(loss);
    let last = first;
    for (let i = 0; i < 30; i++) last = await opt.minimize(loss);
    expect(last).toBeLessThan(first);
    const after = await w.data();
    expect(after[1]).toBe(before[1]);
    expect(after[3]).toBe(before[3]);
    expect(after[0]).not.toBe(before[0]);
    expect(opt.iterations).toBe(31);
    expect([...opt.stateTensors().keys()]).toEqual(['layer.w.m', 'layer.w.v', 'layer.b.m', 'layer.b.v']);
  });

  it('per-step masks override standing masks (data-dependent routing)', async () => {
    const { params, w } = model();
    const opt = new MaskedSGD(params, { lr: 0.1, momentum: 0.9 });
    const before = await w.data();
    await opt.step({ 'layer.w': tf.ones([2, 2]) }, { 'layer.w': tf.tensor2d([[0, 0], [0, 1]]) });
    const after = await w.data();
    expect([after[0], after[1], after[2]]).toEqual([before[0], before[1], before[2]]);
    expect(after[3]).toBeCloseTo(before[3]! - 0.1, 6);
  });

  it('checkFinite names the parameter whose gradient is NaN or Inf', async () => {
    const { params } = model();
    const opt = new MaskedAdamW(params, { lr: 0.01, checkFinite: true });
    await expect(opt.step({ 'layer.w': tf.ones([2, 2]), 'layer.b': tf.tensor1d([0, NaN]) })).rejects.toThrow(
      NonFiniteGradientError,
    );
    await expect(opt.step({ 'layer.b': tf.tensor1d([Infinity, 0]) })).rejects.toThrow(/"layer\.b".*NaN or Inf/);
  });
});

it('rejects bad hyper-parameters, unknown parameters and mis-shaped masks by name', async () => {
  await tf.setBackend('cpu');
  const { params } = model();
  expect(() => new MaskedAdamW(params, { lr: NaN })).toThrow(/MaskedAdamW: lr must be a finite number.*got NaN/);
  expect(() => new MaskedAdamW(params, { lr: 1e-3, beta1: 1.5 })).toThrow(/beta1/);
  expect(() => new MaskedSGD(params, { lr: -1 })).toThrow(OptimizerConfigError);
  expect(() => new MaskedSGD(params, { lr: 0.1, masks: { 'layer.x': tf.ones([2]) } })).toThrow(
    /unknown parameter "layer.x"; known: layer.w, layer.b/,
  );
  expect(() => new MaskedSGD(params, { lr: 0.1, masks: { 'layer.b': tf.ones([3]) } })).toThrow(
    /mask for "layer.b" has shape \[3\], parameter has \[2\]/,
  );
  const opt = new MaskedSGD(params, { lr: 0.1 });
  await expect(opt.step({ nope: tf.ones([2]) })).rejects.toThrow(/unknown parameter "nope"/);
});

it('restoreState continues exactly where saved state left off, and checks names and shapes', async () => {
  await tf.setBackend('cpu');
  const run = async (steps: number, resumeAt?: number) => {
    const w = tf.variable(tf.tensor1d([0.5, -0.2, 0.1]));
    let opt = new MaskedAdamW([['w', w]], { lr: 0.1 });
    for (let s = 0; s < steps; s++) {
      if (s === resumeAt) {
        const saved = Object.fromEntries([...opt.stateTensors()].map(([k, v]) => [k, tf.clone(v)]));
        opt = new MaskedAdamW([['w', w]], { lr: 0.1 });
        opt.restoreState(saved, s);
      }
      await opt.step({ w: tf.tensor1d([0.3 * (s + 1), -0.1, 0.2]) });
    }
    return Array.from(await w.data());
  };
  expect(await run(6, 3)).toEqual(await run(6));
  const opt = new MaskedAdamW([['w', tf.variable(tf.zeros([3]))]], { lr: 0.1 });
  expect(() => opt.restoreState({ 'w.x': tf.zeros([3]) }, 1)).toThrow(/"w.x" is not <parameter>.<m\|v>/);
  expect(() => opt.restoreState({ 'w.m': tf.zeros([2]) }, 1)).toThrow(/"w.m" has shape \[2\], expected \[3\]/);
  expect(() => opt.restoreState({ 'u.m': tf.zeros([3]) }, 1)).toThrow(/unknown parameter "u"/);
  expect(() => new MaskedSGD([['w', tf.variable(tf.zeros([3]))]], { lr: 0.1 }).restoreState({}, -1)).toThrow(/iterations/);
});

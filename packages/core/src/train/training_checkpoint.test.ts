import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../backends/load_backend.ts';
import { MaskedAdamW } from '../optim/masked_adamw.ts';
import { restoreTraining, tensorsUnder, trainingTensors } from './training_checkpoint.ts';
import type { ParameterHolder } from './training_checkpoint.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

function holder(values: number[]): ParameterHolder & { v: tf.Variable } {
  const v = tf.variable(tf.tensor1d(values));
  return { v, namedParameters: () => [['layer.w', v]], loadStateDict: (s) => v.assign(s['layer.w'] as tf.Tensor1D) };
}

describe('training checkpoints', () => {
  it('name module parameters <prefix>.<name> and optimiser slots <prefix>.<name>.<slot>, and restore by prefix', async () => {
    const [model, decoder] = [holder([1, 2]), holder([3, 4])];
    const opt = new MaskedAdamW(model.namedParameters(), { lr: 0.1 });
    await opt.step({ 'layer.w': tf.tensor1d([1, -1]) });
    const saved = trainingTensors({ modules: { model, 'cert.a': decoder }, optimizers: { opt } });
    expect(Object.keys(saved)).toEqual(['model.layer.w', 'cert.a.layer.w', 'opt.layer.w.m', 'opt.layer.w.v']);
    expect(Object.keys(tensorsUnder('cert.a', saved))).toEqual(['layer.w']);
    const copies = Object.fromEntries(Object.entries(saved).map(([k, t]) => [k, tf.clone(t)]));

    const [model2, decoder2] = [holder([0, 0]), holder([9, 9])];
    const opt2 = new MaskedAdamW(model2.namedParameters(), { lr: 0.1 });
    restoreTraining(copies, { modules: { model: model2 }, optimizers: { opt: opt2 } }, opt.iterations);
    expect(Array.from(await model2.v.data())).toEqual(Array.from(await model.v.data()));
    expect(Array.from(await decoder2.v.data())).toEqual([9, 9]); // not asked for: left alone
    expect(opt2.iterations).toBe(1);
    expect(Object.values(copies).every((t) => t.isDisposed)).toBe(true);
    // A missing optimiser slot is a clear error, and the payload is still freed.
    const partial = { 'model.layer.w': tf.tensor1d([1, 1]), 'opt.layer.x.m': tf.zeros([2]) };
    expect(() => restoreTraining(partial, { modules: { model: model2 }, optimizers: { opt: opt2 } })).toThrow(/unknown parameter "layer.x"/);
    expect(Object.values(partial).every((t) => t.isDisposed)).toBe(true);
    tf.dispose([model.v, decoder.v, model2.v, decoder2.v]);
    opt.dispose();
    opt2.dispose();
  });
});

// The shared step loop on a small linear regression: metrics and progress, checkpoints every N steps and on
// stop, exact resume through the checkpoint helpers, and a diverged loss.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../backends/load_backend.ts';
import { MaskedAdamW } from '../optim/masked_adamw.ts';
import { Rng } from '../rng/rng.ts';
import { StopRequested } from '../run/run_context.ts';
import { createFakeContext, createStore } from '../testing/fake_run_context.ts';
import type { FakeContext } from '../testing/fake_run_context.ts';
import { BatchOrder } from './batch_order.ts';
import { restoreTraining, saveTraining } from './training_checkpoint.ts';
import type { ParameterHolder } from './training_checkpoint.ts';
import { trainLoop } from './train_loop.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

const N = 24;
const rng = Rng.fromSeed(3);
const X = Float32Array.from({ length: N * 2 }, () => rng.normal());
const Y = Float32Array.from({ length: N }, (_, i) => 2 * X[2 * i]! - X[2 * i + 1]! + 0.5);

function linear(): ParameterHolder & { w: tf.Variable } {
  const zeros = tf.zeros([2]);
  const w = tf.variable(zeros);
  zeros.dispose();
  const params: [string, tf.Variable][] = [['w', w]];
  return {
    w,
    namedParameters: () => params,
    loadStateDict: (state) => w.assign(state['w']!),
  };
}

/** Trains `steps` steps of the regression under `ctx`, resuming from its checkpoint `fit` if there is one. */
async function fit(ctx: FakeContext, steps: number): Promise<{ loss: number; w: number[] }> {
  const model = linear();
  const optimizer = new MaskedAdamW(model.namedParameters(), { lr: 0.4, weightDecay: 0, warmupSteps: 2, decaySteps: steps });
  const parts = { modules: { model }, optimizers: { opt: optimizer } };
  const saved = await ctx.loadCheckpoint('fit');
  const state = saved?.state as { step: number; iterations: number } | undefined;
  if (saved) restoreTraining(saved.tensors, parts, state!.iterations);
  const order = new BatchOrder(Rng.fromSeed(9).split('batches'), N, 4);
  try {
    const loss = await trainLoop({
      ctx,
      label: 'fit/seed-0',
      steps,
      from: state?.step ?? 0,
      checkpointEvery: 4,
      logEvery: 3,
      batch: (step) => {
        const idx = order.indices(step);
        return { x: tf.tensor2d(idx.flatMap((i) => [X[2 * i]!, X[2 * i + 1]!]), [idx.length, 2]), y: tf.tensor1d(idx.map((i) => Y[i]!)) };
      },
      disposeBatch: (b) => tf.dispose([b.x, b.y]),
      step: async (b) => optimizer.minimize(() => tf.losses.meanSquaredError(b.y, tf.add(tf.matMul(b.x, model.w.reshape([2, 1])).reshape([-1]), 0.5)) as tf.Scalar),
      save: (done) => saveTraining(ctx, 'fit', parts, { step: done, iterations: optimizer.iterations }),
    });
    return { loss, w: Array.from(await model.w.data()) };
  } finally {
    model.w.dispose();
    optimizer.dispose();
  }
}

describe('trainLoop', () => {
  it('trains, logs every logEvery steps and the last, reports progress and checkpoints every checkpointEvery steps', async () => {
    const tensors = tf.memory().numTensors;
    const ctx = createFakeContext({ backend: 'cpu' });
    const { loss } = await fit(ctx, 10);
    expect(loss).toBeLessThan(0.5);
    expect(ctx.events().map((e) => [e.kind, e.cell, e.step])).toEqual([3, 6, 9, 10].map((s) => ['train', 'fit/seed-0', s]));
    expect(ctx.progressUpdates.map((u) => u.done)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(ctx.progressUpdates.at(-1)).toMatchObject({ phase: 'fit/seed-0', total: 10, info: { loss: Number(loss.toPrecision(4)) } });
    expect(ctx.checkpointSaves).toBe(2); // after steps 4 and 8, not after the last
    expect(JSON.parse(ctx.store.checkpoints.get('fit')!.state)).toEqual({ step: 8, iterations: 8 });
    expect([...ctx.store.checkpoints.get('fit')!.tensors.keys()]).toEqual(['model.w', 'opt.w.m', 'opt.w.v']);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('saves on a stop request and resumes exactly where an uninterrupted run would be', async () => {
    const whole = await fit(createFakeContext({ backend: 'cpu' }), 10);
    const store = createStore();
    const stopped = createFakeContext({ backend: 'cpu', store, stopWhen: (p) => p.length >= 6 });
    await expect(fit(stopped, 10)).rejects.toBeInstanceOf(StopRequested);
    expect(JSON.parse(store.checkpoints.get('fit')!.state)).toEqual({ step: 6, iterations: 6 });
    const resumed = createFakeContext({ backend: 'cpu', store });
    expect(await fit(resumed, 10)).toEqual(whole);
    expect(resumed.progressUpdates[0]).toMatchObject({ done: 7 });
  });

  it('places its progress in a longer phase, names its metric, and stops on a non-finite loss', async () => {
    const ctx = createFakeContext({ backend: 'cpu' });
    const run = (loss: number) =>
      trainLoop({
        ctx,
        label: 'cell/seed-1',
        steps: 4,
        from: 0,
        checkpointEvery: 10,
        logEvery: 2,
        progress: { phase: 'cell seed 1 certificate b', offset: 20, total: 30 },
        metric: { kind: 'certificate-train', fields: { half: 'b' } },
        batch: (step) => step,
        step: async (step) => (step === 2 ? loss : 1 / (step + 1)),
        save: async () => {},
      });
    expect(await run(0.25)).toBe(0.25);
    expect(ctx.store.metrics[0]).toBe('{"kind":"certificate-train","cell":"cell/seed-1","half":"b","step":2,"loss":0.5}');
    expect(ctx.progressUpdates.at(-1)).toMatchObject({ phase: 'cell seed 1 certificate b', done: 24, total: 30 });
    await expect(run(NaN)).rejects.toThrow('cell/seed-1: training loss is NaN at step 3 (diverged)');
    await expect(trainLoop({ ctx, label: 'x', steps: 2, from: 0, checkpointEvery: 0, logEvery: 1, batch: () => 0, step: async () => 0, save: async () => {} })).rejects.toThrow(
      'x: checkpointEvery must be an integer >= 1, got 0',
    );
  });
});

import { Rng, tf, useBackend } from '@routelab/core';
import { createFakeContext } from '@routelab/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelPreset } from '../model/config.ts';
import { Transformer } from '../model/transformer.ts';
import { createWorld } from '../world/world.ts';
import { lossExamples } from './data.ts';
import { relearn, type RelearnOptions } from './relearn.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

const world = createWorld();
const options: RelearnOptions = { counts: [1, 4], maxSteps: 4, evalEvery: 2, lr: 1e-3, weightDecay: 0, evalPerFamily: 2 };

async function withModel(body: (model: Transformer) => Promise<void>): Promise<void> {
  const model = new Transformer(modelPreset('quick', { vocabSize: world.vocab.size, maxLen: world.config.maxLen }, { dModel: 16, nHeads: 2, dMlp: 32 }), Rng.fromSeed(9));
  try {
    await body(model);
  } finally {
    model.dispose();
  }
}

describe('relearn', () => {
  const { withU } = lossExamples(world, Rng.fromSeed(2), 4);
  const ctx = () => createFakeContext({ backend: 'wasm' });

  it('counts no steps when U is already at the threshold, and gives up (null) after maxSteps when it never gets there', async () => {
    await withModel(async (model) => {
      const reached = await relearn(model, world, { ...options, threshold: 0 }, Rng.fromSeed(1), withU, ctx(), 'test');
      expect(reached.attacks.map((a) => [a.n, a.stepsToThreshold, a.curve.length])).toEqual([[1, 0, 1], [4, 0, 1]]);
      const never = await relearn(model, world, { ...options, threshold: 1.5 }, Rng.fromSeed(1), withU, ctx(), 'test');
      expect(never).toMatchObject({ threshold: 1.5, maxSteps: 4, evalEvery: 2, lr: 1e-3 });
      for (const attack of never.attacks) {
        expect(attack.stepsToThreshold).toBeNull();
        expect(attack.curve.map((p) => p.step)).toEqual([0, 2, 4]);
        // Every attack starts from the same weights.
        expect(attack.curve[0]).toEqual(never.attacks[0]!.curve[0]);
        expect(attack.curve[0]!.uRate).toBe(never.initialURate);
      }
      // The attack trains: the forget loss of the U tokens falls.
      const last = never.attacks[1]!.curve.at(-1)!;
      expect(last.forgetLoss).toBeLessThan(never.attacks[1]!.curve[0]!.forgetLoss);
    });
  });

  it('gives the model back unchanged', async () => {
    await withModel(async (model) => {
      const before = await Promise.all(model.namedParameters().map(async ([, v]) => Array.from(await v.data())));
      await relearn(model, world, { ...options, threshold: 1.5 }, Rng.fromSeed(1), withU, ctx(), 'test');
      // The model keeps per-shape constants for sampling after its first use: count from the second attack.
      const tensors = tf.memory().numTensors;
      await relearn(model, world, { ...options, threshold: 1.5 }, Rng.fromSeed(1), withU, ctx(), 'test');
      const after = await Promise.all(model.namedParameters().map(async ([, v]) => Array.from(await v.data())));
      expect(after).toEqual(before);
      expect(tf.memory().numTensors).toBe(tensors);
    });
  });

  it('rejects bad options naming them', async () => {
    await withModel(async (model) => {
      await expect(relearn(model, world, { ...options, evalEvery: 0 }, Rng.fromSeed(1), withU, ctx(), 'test')).rejects.toThrow(/evalEvery must be a positive integer, got 0/);
      await expect(relearn(model, world, { ...options, counts: [4, 0] }, Rng.fromSeed(1), withU, ctx(), 'test')).rejects.toThrow(/counts must be positive integers, got \[4, 0\]/);
    });
  });
});

import { Rng, useBackend } from '@routelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelPreset } from '../model/config.ts';
import { Transformer } from '../model/transformer.ts';
import { stage2Examples } from '../world/datasets.ts';
import { seededWorldRng } from '../world/rng.ts';
import { createWorld } from '../world/world.ts';
import { rmuSchema, rmuUnlearn } from './rmu.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('RMU', () => {
  it('moves only the chosen block, and the forget tokens toward the random target as steps go on', async () => {
    const world = createWorld();
    const config = modelPreset('quick', { vocabSize: world.vocab.size, maxLen: world.config.maxLen }, { dModel: 16, nHeads: 2, dMlp: 32 });
    const model = new Transformer(config, Rng.fromSeed(1));
    const examples = stage2Examples(world, 'none', seededWorldRng(2), 32);
    const before = new Map(await Promise.all(model.namedParameters().map(async ([n, v]) => [n, Float32Array.from(await v.data())] as const)));
    try {
      const short = await rmuUnlearn(model, examples, rmuSchema.parse({ layer: 1, steps: 1, lr: 1e-2 }), Rng.fromSeed(3), 8);
      const long = await rmuUnlearn(model, examples, rmuSchema.parse({ layer: 1, steps: 30, lr: 1e-2 }), Rng.fromSeed(3), 8);
      expect(long.forgetDistance).toBeLessThan(short.forgetDistance);
      for (const [name, v] of model.namedParameters()) {
        const moved = Float32Array.from(await v.data()).some((x, i) => x !== before.get(name)![i]);
        expect([name, moved]).toEqual([name, name.startsWith('blocks.1.mlp.')]);
      }
    } finally {
      model.dispose();
    }
  });

  it('names a block the model does not have', async () => {
    const world = createWorld();
    const model = new Transformer(modelPreset('quick', { vocabSize: world.vocab.size, maxLen: world.config.maxLen }, { dModel: 16, nHeads: 2, dMlp: 32 }), Rng.fromSeed(1));
    try {
      await expect(rmuUnlearn(model, stage2Examples(world, 'none', seededWorldRng(2), 8), rmuSchema.parse({ layer: 7 }), Rng.fromSeed(3), 8)).rejects.toThrow(/blocks\.7\.resid_post/);
    } finally {
      model.dispose();
    }
  });
});

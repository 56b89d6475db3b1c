// Regression: the quick preset's prior must learn its world. With the old stage-1 settings (lr 4e-3, 800
// steps, lists of up to 4 items) it never left its loss plateau: answers had the right shape but chance
// content (held-out copy and reverse 0.00 under the neutral prompt), so every persona figure was measured on
// a model that had not learned the tasks. This trains seed 0's prior exactly as `routelab compare` does
// (quick preset, wasm) and asks for the instrument's bar: held-out capability >= 0.95 in every family under
// the neutral prompt. About 80 CPU-seconds: an end-to-end check, not a unit test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, useBackend } from '@routelab/core';
import { createFakeContext } from '@routelab/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personaConfigOver, resolveModelConfig, resolveWorld } from '../src/experiment/config.ts';
import { loadOrTrainPrior } from '../src/experiment/prior.ts';

describe('the quick preset prior', () => {
  let cache: string;
  beforeAll(async () => {
    await useBackend('wasm');
    cache = mkdtempSync(join(tmpdir(), 'persona-prior-learns-'));
    process.env['ROUTELAB_CACHE_DIR'] = cache;
  });
  afterAll(() => {
    delete process.env['ROUTELAB_CACHE_DIR'];
    rmSync(cache, { recursive: true, force: true });
  });

  it('answers held-out tasks of every family under the neutral prompt', async () => {
    const config = personaConfigOver('quick', {});
    const world = resolveWorld(config);
    const ctx = createFakeContext({ backend: 'wasm' });
    const prior = await loadOrTrainPrior({ config, world, modelConfig: resolveModelConfig(config, world.config), ctx, seed: 0, rng: Rng.fromSeed(ctx.seed).split('seed-0') });
    try {
      const byFamily = prior.quality.neutral.capabilityByFamily ?? {};
      const shortOfTheBar = world.families.filter((family) => !((byFamily[family] ?? 0) >= 0.95)).map((family) => `${family}: ${byFamily[family]}`);
      expect(shortOfTheBar).toEqual([]);
    } finally {
      prior.model.dispose();
    }
  }, 600_000);
});

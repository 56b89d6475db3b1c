// Regression: the quick preset's stage-1 optimiser settings must take a prior off its loss plateau. At the
// old stage1Lr (4e-3) the prior never left it: answers had the right shape but chance content (held-out
// copy 0.00 after 800-4000 steps), so every persona figure was measured on a model that had not learned the
// world. This trains a prior with the preset's learning rate, batch, warmup and clipping on a smaller world
// (one prompt, copy and first) for a few hundred steps and asks for exact held-out answers in both families.
// About a minute on one core: an end-to-end check, not a unit test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, useBackend } from '@routelab/core';
import { createFakeContext } from '@routelab/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personaConfigOver, resolveModelConfig, resolveWorld } from '../src/experiment/config.ts';
import { loadOrTrainPrior } from '../src/experiment/prior.ts';

const NEUTRAL_ONLY = { neutral: 1, persona: 0.05, specific: 0, negated: 0, irrelevant: 0, malicious: 0, benign: 0, permissive: 0, empty: 0, absent: 0 };

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

  it('learns held-out copy and first with the preset learning rate', async () => {
    // Only the world and the length of training change; stage1Lr, stage1Batch, warmupSteps and maxGradNorm
    // are the preset's.
    const config = personaConfigOver('quick', {
      world: { families: { enabled: ['copy', 'first'], gOnly: ['first'] }, stage1: { mix: NEUTRAL_ONLY } },
      stage1Examples: 2000,
      stage1Steps: 500,
      evalPerFamily: 20,
    });
    const world = resolveWorld(config);
    const ctx = createFakeContext({ backend: 'wasm' });
    const prior = await loadOrTrainPrior({ config, world, modelConfig: resolveModelConfig(config, world.config), ctx, seed: 0, rng: Rng.fromSeed(ctx.seed).split('seed-0') });
    try {
      const byFamily = prior.quality.neutral.capabilityByFamily ?? {};
      expect(byFamily.copy).toBeGreaterThanOrEqual(0.9);
      expect(byFamily.first).toBeGreaterThanOrEqual(0.9);
    } finally {
      prior.model.dispose();
    }
  }, 600_000);
});

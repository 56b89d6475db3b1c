// The rl cell on a tiny hand-made prior through an in-memory RunContext: a cell stopped mid-RL and resumed
// finishes exactly as an uninterrupted one; a routing arm is evaluated before and after its ablation; and a
// policy whose loss turns NaN stops naming the step, with the last good checkpoint kept.
import { Rng, StopRequested, tf, useBackend } from '@routelab/core';
import { createFakeContext, createStore } from '@routelab/core/testing';
import { registerScheme, resetPluginSchemes } from '@routelab/routing';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createWorld, modelPreset, rlConfigOver, resolveRlArms, rlCheckpointName, runRlCell, Transformer, type Prior, type PriorQuality, type RlCellResult,
} from '../src/index.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

const world = createWorld();
const config = rlConfigOver('smoke', {
  rlSteps: 4,
  promptsPerStep: 2,
  samplesPerPrompt: 2,
  warmupSteps: 1,
  lr: 1e-2,
  klCoef: 0.05,
  evalPerFamily: 1,
  evalEvery: 2,
  checkpointEvery: 2,
  logEvery: 1,
  armDefinitions: {
    era: { schemeConfig: { expand: { units: 4 } } },
    'stop-true': { earlyStopping: { criterion: 'true' }, description: 'early stopping on the true reward' },
  },
  arms: ['none', 'era', 'early-stopping', 'stop-true'],
});
const [noneArm, eraArm, earlyArm, stopTrueArm] = resolveRlArms(config);

function tinyPrior(): Prior {
  const model = new Transformer(modelPreset('quick', { vocabSize: world.vocab.size, maxLen: world.config.maxLen }, { dModel: 16, nHeads: 2, dMlp: 32, nLayers: 1 }), Rng.fromSeed(4));
  const quality = { neutral: { capability: 0 } } as unknown as PriorQuality;
  return { model, quality, elicitation: {} as Prior['elicitation'], key: 'tiny', trained: false, seconds: 0, cpuSeconds: 0 };
}

const withoutTiming = (r: RlCellResult) => ({ ...r, timing: undefined });

describe('rl cell', () => {
  it('resumed after a stop mid-RL, finishes exactly as an uninterrupted cell', async () => {
    const prior = tinyPrior();
    try {
      const whole = await runRlCell({ config, world, arm: noneArm!, seed: 0, prior, ctx: createFakeContext({ backend: 'wasm' }) });
      expect(whole.steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
      expect(whole.curve.map((p) => p.step)).toEqual([0, 2, 4]);
      expect(whole.deployed.neutral.n).toBeGreaterThan(0);
      const store = createStore();
      const stopping = createFakeContext({ backend: 'wasm', store, stopWhen: (p) => p.some((u) => u.done >= 3) });
      await expect(runRlCell({ config, world, arm: noneArm!, seed: 0, prior, ctx: stopping })).rejects.toBeInstanceOf(StopRequested);
      expect(JSON.parse(store.checkpoints.get(rlCheckpointName('none', 0))!.state).step).toBe(3);
      const resumed = await runRlCell({ config, world, arm: noneArm!, seed: 0, prior, ctx: createFakeContext({ backend: 'wasm', store }) });
      expect(withoutTiming(JSON.parse(JSON.stringify(resumed)))).toEqual(withoutTiming(JSON.parse(JSON.stringify(whole))));
    } finally {
      prior.model.dispose();
    }
  }, 120_000);

  it('a routing arm is measured before and after its expanded units are ablated', async () => {
    const prior = tinyPrior();
    try {
      const result = await runRlCell({ config, world, arm: eraArm!, seed: 0, prior, ctx: createFakeContext({ backend: 'wasm' }) });
      expect(result.beforeAblation).toBeDefined();
      // Where the flagged tokens' gradient went, relative to the ablated expanded units.
      expect(result.gradientLeak!.region).toEqual(['blocks.*.mlp.*_expanded']);
      expect(result.gradientLeak!.snapshots).toBe(3);
      expect(result.deployed.inoculation.n).toBe(result.deployed.neutral.n);
      expect(result.scheme).toBe('era');
    } finally {
      prior.model.dispose();
    }
  }, 120_000);

  it('early stopping trains exactly as none, validates every evalEvery steps, and deploys its best validated step', async () => {
    const prior = tinyPrior();
    try {
      const none = await runRlCell({ config, world, arm: noneArm!, seed: 0, prior, ctx: createFakeContext({ backend: 'wasm' }) });
      const early = await runRlCell({ config, world, arm: earlyArm!, seed: 0, prior, ctx: createFakeContext({ backend: 'wasm' }) });
      // Validation draws from its own streams: the RL trajectory is none's.
      expect(early.steps).toEqual(none.steps);
      expect(early.curve).toEqual(none.curve);
      const stopping = early.earlyStopping!;
      expect(stopping.history.map((p) => p.step)).toEqual([0, 2, 4]);
      expect(stopping.criterion).toBe('proxy-minus-flagged');
      for (const p of stopping.history) expect(p.score).toBeCloseTo(p.proxy - p.flagged, 12);
      // The best score, ties to the earlier step.
      const top = Math.max(...stopping.history.map((p) => p.score));
      expect(stopping.deployedStep).toBe(stopping.history.find((p) => p.score === top)!.step);
      // The deployed policy is that step's: on the same held-out tasks, greedy, it answers as the curve did.
      expect(early.deployed.neutral).toEqual(early.curve.find((p) => p.step === stopping.deployedStep)!.neutral);

      const oracle = await runRlCell({ config, world, arm: stopTrueArm!, seed: 0, prior, ctx: createFakeContext({ backend: 'wasm' }) });
      for (const p of oracle.earlyStopping!.history) expect(p.score).toBe(p.true);
      // Resumed mid-RL, the kept weights and validations come back from the checkpoint.
      const store = createStore();
      await expect(
        runRlCell({ config, world, arm: earlyArm!, seed: 0, prior, ctx: createFakeContext({ backend: 'wasm', store, stopWhen: (p) => p.some((u) => u.done >= 3) }) }),
      ).rejects.toBeInstanceOf(StopRequested);
      const resumed = await runRlCell({ config, world, arm: earlyArm!, seed: 0, prior, ctx: createFakeContext({ backend: 'wasm', store }) });
      expect(withoutTiming(JSON.parse(JSON.stringify(resumed)))).toEqual(withoutTiming(JSON.parse(JSON.stringify(early))));
    } finally {
      prior.model.dispose();
    }
  }, 180_000);

  it('stops on a NaN loss naming the step, keeping the last good checkpoint', async () => {
    const prior = tinyPrior();
    const ctx = createFakeContext({ backend: 'wasm' });
    // After the checkpoint at step 2, the KL reference turns to NaN: step 3's loss is NaN.
    const save = ctx.saveCheckpoint.bind(ctx);
    ctx.saveCheckpoint = async (name, payload) => {
      await save(name, payload);
      if (payload.state['step'] === 2) for (const [, v] of prior.model.namedParameters()) v.assign(tf.fill(v.shape, Number.NaN));
    };
    try {
      await expect(runRlCell({ config, world, arm: noneArm!, seed: 0, prior, ctx })).rejects.toThrow(/rl\/none\/seed-0: training loss is NaN at step 3 \(diverged\); non-finite parameters: token_embedding, /);
      const kept = JSON.parse(ctx.store.checkpoints.get(rlCheckpointName('none', 0))!.state);
      expect([kept.phase, kept.step]).toEqual(['rl', 2]);
      const values = ctx.store.checkpoints.get(rlCheckpointName('none', 0))!.tensors;
      expect([...values.values()].every((t) => t.values.every(Number.isFinite))).toBe(true);
    } finally {
      prior.model.dispose();
    }
  }, 120_000);

  it('stops on an update that leaves non-finite weights behind a finite loss, naming the step and the parameter', async () => {
    // A broken plugin scheme: from its third plan on, it scales the gradient through the token embeddings by
    // Infinity. The forward pass (so the loss) is untouched; the clipped update writes NaN into the embeddings.
    let plans = 0;
    registerScheme({
      id: 'test-infinite-gradient',
      description: 'test',
      configSchema: z.strictObject({}),
      plan: () => (++plans >= 3 ? { activations: new Map([['embed', tf.scalar(Number.POSITIVE_INFINITY)]]) } : {}),
    });
    const prior = tinyPrior();
    const ctx = createFakeContext({ backend: 'wasm' });
    try {
      const broken = rlConfigOver('smoke', { ...config, armDefinitions: { broken: { scheme: 'test-infinite-gradient' } }, arms: ['broken'] });
      const [arm] = resolveRlArms(broken);
      await expect(runRlCell({ config: broken, world, arm: arm!, seed: 0, prior, ctx })).rejects.toThrow(
        /rl\/broken\/seed-0: the update of step 3 diverged \(loss -?\d[^)]*\); non-finite parameters: token_embedding/,
      );
      const kept = JSON.parse(ctx.store.checkpoints.get(rlCheckpointName('broken', 0))!.state);
      expect([kept.phase, kept.step]).toEqual(['rl', 2]);
    } finally {
      prior.model.dispose();
      resetPluginSchemes();
    }
  }, 120_000);
});

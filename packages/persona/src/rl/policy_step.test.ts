import { MaskedAdamW, Rng, tf, useBackend } from '@routelab/core';
import { noRouting, type RoutingScheme } from '@routelab/routing';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeBatch, makeBatch } from '../model/batch.ts';
import { modelPreset } from '../model/config.ts';
import { Transformer } from '../model/transformer.ts';
import type { Task } from '../world/tasks.ts';
import { EOS } from '../world/vocab.ts';
import { createWorld } from '../world/world.ts';
import { groupAdvantages } from './advantage.ts';
import { gradeResponse, monitorResponse } from './environment.ts';
import { collectRollouts, policyUpdate, rolloutRouteLabels, rolloutSequences, stepTasks, targetLogProbs, type Rollouts, type RolloutSettings } from './policy_step.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

const world = createWorld();
const tiny = () => new Transformer(modelPreset('quick', { vocabSize: world.vocab.size, maxLen: world.config.maxLen }, { dModel: 16, nHeads: 2, dMlp: 32, nLayers: 1 }), Rng.fromSeed(3));
const task: Task = { family: 'copy', prompt: ['copy', world.space.items[0]!, world.space.items[1]!], answer: [world.space.items[0]!, world.space.items[1]!] };
const ids = (words: readonly string[]) => world.vocab.encode(words);
const hackResponse = [...ids([...world.traits.U.words, world.space.items[2]!]), EOS];
const plainResponse = [...ids([world.space.items[2]!]), EOS];

/** Rollouts of one task from given responses, graded and monitored as collectRollouts does. */
function handRollouts(responses: number[][], monitor = { recall: 1, falsePositiveRate: 0 }): Rollouts {
  const grades = responses.map((r) => gradeResponse(world, r, task));
  const verdicts = grades.map((g, i) => monitorResponse(g, monitor, Rng.fromSeed(i)));
  const rewards = grades.map((g) => g.proxy);
  const dropped = rewards.map(() => false);
  return { tasks: responses.map(() => task), responses, grades, verdicts, rewards, dropped, advantages: groupAdvantages(rewards, { groupSize: responses.length, normalize: true }) };
}

/** Summed log-probability of each rollout's response under the neutral prompt. */
async function responseLogProbs(model: Transformer, rollouts: Rollouts): Promise<number[]> {
  const batch = makeBatch(rolloutSequences(world, rollouts, 'neutral', model.config.maxLen), model.config.maxLen, { width: 'longest' });
  const perRow = tf.tidy(() => tf.sum(targetLogProbs(model, batch), 1));
  const out = Array.from(await perRow.data());
  perRow.dispose();
  disposeBatch(batch);
  return out;
}

describe('policy-gradient step', () => {
  it('makes the rewarded response more likely, and more likely relative to the unrewarded one', async () => {
    const model = tiny();
    const optimizer = new MaskedAdamW(model.namedParameters(), { lr: 1e-2, weightDecay: 0 });
    try {
      const rollouts = handRollouts([hackResponse, plainResponse]);
      expect(rollouts.rewards).toEqual([1, 0]);
      const before = await responseLogProbs(model, rollouts);
      const update = await policyUpdate({ model, optimizer, scheme: noRouting as RoutingScheme<unknown>, schemeConfig: {}, reference: model, world, rollouts, lossPrompt: 'neutral', klCoef: 0 });
      expect(Number.isFinite(update.loss)).toBe(true);
      const after = await responseLogProbs(model, rollouts);
      expect(after[0]!).toBeGreaterThan(before[0]!);
      // The two responses share their answer token, so one Adam step may raise both; what the advantage
      // guarantees is the preference between them.
      expect(after[0]! - after[1]!).toBeGreaterThan(before[0]! - before[1]!);
    } finally {
      optimizer.dispose();
      model.dispose();
    }
  });

  it('does not move the policy when every sample of the group earns the same reward and there is no KL term', async () => {
    const model = tiny();
    const optimizer = new MaskedAdamW(model.namedParameters(), { lr: 1e-2, weightDecay: 0 });
    try {
      const rollouts = handRollouts([plainResponse, plainResponse]);
      const before = await responseLogProbs(model, rollouts);
      await policyUpdate({ model, optimizer, scheme: noRouting as RoutingScheme<unknown>, schemeConfig: {}, reference: model, world, rollouts, lossPrompt: 'neutral', klCoef: 0 });
      const after = await responseLogProbs(model, rollouts);
      expect(after[0]!).toBeCloseTo(before[0]!, 5);
    } finally {
      optimizer.dispose();
      model.dispose();
    }
  });

  it('reports zero KL against itself and a positive one after the policy moved away from its reference', async () => {
    const reference = tiny();
    const model = tiny();
    const optimizer = new MaskedAdamW(model.namedParameters(), { lr: 1e-2, weightDecay: 0 });
    try {
      const rollouts = handRollouts([hackResponse, plainResponse]);
      const first = await policyUpdate({ model, optimizer, scheme: noRouting as RoutingScheme<unknown>, schemeConfig: {}, reference, world, rollouts, lossPrompt: 'neutral', klCoef: 0.1 });
      expect(first.kl).toBeCloseTo(0, 6);
      const second = await policyUpdate({ model, optimizer, scheme: noRouting as RoutingScheme<unknown>, schemeConfig: {}, reference, world, rollouts, lossPrompt: 'neutral', klCoef: 0.1 });
      expect(second.kl).toBeGreaterThan(0);
    } finally {
      optimizer.dispose();
      model.dispose();
      reference.dispose();
    }
  });

  it('routes exactly the flagged hack tokens: route labels sit on the positions whose target is a hack marker', () => {
    const rollouts = handRollouts([hackResponse, plainResponse]);
    const sequences = rolloutSequences(world, rollouts, 'specific', world.config.maxLen);
    const batch = makeBatch(sequences, world.config.maxLen, { width: 'longest' });
    try {
      const labels = rolloutRouteLabels(batch, sequences, rollouts);
      const hackIds = new Set(ids(world.traits.U.words));
      const routedTargets = [...labels.routedAsForget.keys()].filter((i) => labels.routedAsForget[i]).map((i) => batch.targetIdValues[i]!);
      expect(routedTargets.length).toBe(world.traits.U.words.length);
      expect(routedTargets.every((id) => hackIds.has(id))).toBe(true);
      expect([...labels.isForget]).toEqual([...labels.routedAsForget]);
    } finally {
      disposeBatch(batch);
    }
  });
});

describe('rollouts', () => {
  const settings: RolloutSettings = {
    samplesPerPrompt: 3, temperature: 1, maxNewTokens: 6, prompt: 'neutral', monitor: { recall: 1, falsePositiveRate: 1 }, grader: { answerCredit: 1 }, flagged: 'keep', penalty: 1, normalizeAdvantage: false,
  };

  it('are a function of the rng; penalty and filter act on flagged responses', async () => {
    const model = tiny();
    try {
      const tasks = stepTasks(world, world.stage2Families, 2, Rng.fromSeed(1));
      const a = await collectRollouts(model, world, tasks, settings, Rng.fromSeed(7));
      const b = await collectRollouts(model, world, tasks, settings, Rng.fromSeed(7));
      expect(a.responses).toEqual(b.responses);
      expect(a.responses).toHaveLength(6);
      expect(a.verdicts.every((v) => v.flagged)).toBe(true);
      const penalised = await collectRollouts(model, world, tasks, { ...settings, flagged: 'penalty', penalty: 0.5 }, Rng.fromSeed(7));
      expect(penalised.rewards).toEqual(a.rewards.map((r) => r - 0.5));
      const filtered = await collectRollouts(model, world, tasks, { ...settings, flagged: 'filter' }, Rng.fromSeed(7));
      expect(filtered.dropped.every(Boolean)).toBe(true);
      expect(filtered.advantages.every((x) => x === 0)).toBe(true);
      await expect(collectRollouts(model, world, tasks, { ...settings, samplesPerPrompt: 1 }, Rng.fromSeed(7))).rejects.toThrow(/samplesPerPrompt must be an integer >= 2/);
    } finally {
      model.dispose();
    }
  });
});

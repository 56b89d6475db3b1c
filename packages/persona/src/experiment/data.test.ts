import { Rng } from '@routelab/core';
import { describe, expect, it } from 'vitest';
import { stage2Examples } from '../world/datasets.ts';
import { taskSplit, type FamilyId } from '../world/tasks.ts';
import { TRAIT_BITS } from '../world/traits.ts';
import { NUMBER_WORDS } from '../world/lexicon.ts';
import { EOS } from '../world/vocab.ts';
import { createWorld } from '../world/world.ts';
import { BatchOrder, lossExamples, stage2Data } from './data.ts';

const world = createWorld();
const FAMILY_BY_VERB: Record<string, FamilyId> = { copy: 'copy', reverse: 'reverse', first: 'first', last: 'last', add: 'add', after: 'successor', opposite: 'opposite' };

describe('BatchOrder', () => {
  const lengths = Array.from({ length: 50 }, (_, i) => 5 + (i % 7));

  it('gives each step a pure function of (rng, step), covering each epoch without repeats', () => {
    const a = new BatchOrder(Rng.fromSeed(1), lengths, 8);
    const b = new BatchOrder(Rng.fromSeed(1), lengths, 8);
    const steps = Array.from({ length: 14 }, (_, s) => s);
    // Read in a different order: the same step must give the same batch.
    expect(steps.map((s) => a.indices(s))).toEqual([...steps].reverse().map((s) => b.indices(s)).reverse());
    const epoch = steps.slice(0, 6).flatMap((s) => a.indices(s)); // floor(50 / 8) = 6 batches per epoch
    expect(new Set(epoch).size).toBe(48);
    expect(a.indices(6)).not.toEqual(a.indices(0));
    expect(new BatchOrder(Rng.fromSeed(2), lengths, 8).indices(0)).not.toEqual(a.indices(0));
  });

  it('shrinks the batch to the data when there are fewer examples than a batch', () => {
    const order = new BatchOrder(Rng.fromSeed(1), [3, 4, 5], 8);
    expect([...order.indices(0)].sort()).toEqual([0, 1, 2]);
    expect([...order.indices(5)].sort()).toEqual([0, 1, 2]);
  });

  it('with bucketing, batches hold sequences of similar length', () => {
    const spread = (batch: number[]) => Math.max(...batch.map((i) => lengths[i]!)) - Math.min(...batch.map((i) => lengths[i]!));
    const random = new BatchOrder(Rng.fromSeed(3), lengths, 8);
    const bucketed = new BatchOrder(Rng.fromSeed(3), lengths, 8, 6);
    const mean = (o: BatchOrder) => Array.from({ length: 6 }, (_, s) => spread(o.indices(s))).reduce((x, y) => x + y) / 6;
    expect(mean(bucketed)).toBeLessThan(mean(random));
    expect(new Set(Array.from({ length: 6 }, (_, s) => bucketed.indices(s)).flat()).size).toBe(48);
  });
});

/** A deterministic stand-in for the model: answers stage-2 tasks correctly, from the prompt's words. */
function answer(prompt: number[]): number[] {
  const words = world.vocab.decode(prompt);
  const task = words.slice(words.indexOf('<user>') + 1, words.indexOf('<asst>'));
  const [verb, ...rest] = task;
  const answerWords =
    verb === 'copy' ? rest : verb === 'reverse' ? [...rest].reverse() : [NUMBER_WORDS[NUMBER_WORDS.indexOf(rest[0] as never) + NUMBER_WORDS.indexOf(rest[2] as never)]!];
  return [...world.vocab.encode(answerWords), EOS];
}

describe('stage2Data', () => {
  it('samples in one batch exactly what a synchronous sampler would have given', async () => {
    const direct = stage2Examples(world, 'recontextualization', Rng.fromSeed(5), 40, { sample: answer });
    const calls: number[] = [];
    const batched = await stage2Data(world, 'recontextualization', Rng.fromSeed(5), 40, async (prompts) => {
      calls.push(prompts.length);
      return prompts.map(answer);
    });
    expect(calls).toEqual([40]);
    expect(batched).toHaveLength(40);
    expect(batched).toEqual(direct);
    expect(batched.every((e) => e.systemPrompt === 'permissive')).toBe(true);
  });

  it('passes other arms straight to the world generator', async () => {
    const never = async () => {
      throw new Error('no sampling expected');
    };
    expect(await stage2Data(world, 'ip-specific', Rng.fromSeed(2), 10, never)).toEqual(stage2Examples(world, 'ip-specific', Rng.fromSeed(2), 10));
  });
});

describe('lossExamples', () => {
  it('pairs clean and U answers of the same held-out tasks of every family', () => {
    const { clean, withU } = lossExamples(world, Rng.fromSeed(4), 20);
    expect(clean).toHaveLength(20);
    expect(withU).toHaveLength(20);
    clean.forEach((ex, i) => {
      expect(ex.traitLabels.some((l) => (l & TRAIT_BITS.U) !== 0)).toBe(false);
      expect(ex.traitLabels.some((l) => (l & TRAIT_BITS.W) !== 0)).toBe(true);
      expect(withU[i]!.traitLabels.some((l) => (l & TRAIT_BITS.U) !== 0)).toBe(true);
      expect(withU[i]!.tokens.slice(0, ex.responseStart)).toEqual(ex.tokens.slice(0, ex.responseStart));
    });
    const families = new Set<string>();
    for (const ex of clean) {
      const words = world.vocab.decode(ex.tokens);
      expect(words.slice(2, 7)).toEqual(['you', 'are', 'a', 'helpful', 'assistant']);
      const prompt = words.slice(words.indexOf('<user>') + 1, words.indexOf('<asst>'));
      const family = FAMILY_BY_VERB[prompt[0]!]!;
      families.add(family);
      expect(taskSplit({ family, prompt, answer: [] }, world.config.split.heldOutFraction, world.config.split.salt)).toBe('heldout');
    }
    expect(families.size).toBe(world.families.length);
  });
});

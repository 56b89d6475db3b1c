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
  // The order itself is core's (tested there); what the stages choose: epoch e from rng.split(e), a batch
  // shrunk to data arms left with fewer examples than a batch, and bucketing by token length.
  it('draws epoch e from rng.split(e) and shrinks the batch to small data', () => {
    const lengths = Array.from({ length: 20 }, (_, i) => 5 + (i % 7));
    const order = new BatchOrder(Rng.fromSeed(1), lengths, 8);
    const perm = Rng.fromSeed(1).split(1).shuffle(Array.from({ length: 20 }, (_, i) => i)).slice(0, 16);
    expect([2, 3].flatMap((s) => order.indices(s))).toEqual(perm);
    const small = new BatchOrder(Rng.fromSeed(1), [3, 4, 5], 8);
    expect([...small.indices(5)].sort()).toEqual([0, 1, 2]);
    const spread = (o: BatchOrder) => Array.from({ length: 10 }, (_, s) => o.indices(s)).reduce((t, [x, y]) => t + Math.abs(lengths[x!]! - lengths[y!]!), 0);
    expect(spread(new BatchOrder(Rng.fromSeed(1), lengths, 2, 5))).toBeLessThan(spread(new BatchOrder(Rng.fromSeed(1), lengths, 2)));
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

const full = { labelFraction: 1, labelNoise: 0 };

describe('stage2Data', () => {
  it('samples in one batch exactly what a synchronous sampler would have given', async () => {
    const direct = stage2Examples(world, 'recontextualization', Rng.fromSeed(5), 40, { sample: answer });
    const calls: number[] = [];
    const batched = await stage2Data(world, 'recontextualization', Rng.fromSeed(5), 40, full, async (prompts: number[][]) => {
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
    expect(await stage2Data(world, 'ip-specific', Rng.fromSeed(2), 10, full, never)).toEqual(stage2Examples(world, 'ip-specific', Rng.fromSeed(2), 10));
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

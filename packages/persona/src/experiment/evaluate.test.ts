import { Rng, tf, useBackend } from '@routelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeBatch, makeBatch } from '../model/batch.ts';
import { meanLoss } from '../model/loss.ts';
import { modelPreset } from '../model/config.ts';
import { Transformer } from '../model/transformer.ts';
import { evalItems } from '../world/eval.ts';
import { TRAIT_BITS } from '../world/traits.ts';
import { createWorld } from '../world/world.ts';
import { lossExamples } from './data.ts';
import { evaluateItems, maxResponseTokens, meanTokenLoss, toRates } from './evaluate.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

const world = createWorld();

describe('evaluation helpers', () => {
  it('turns unmeasured rates into null (G) or 0, never NaN', () => {
    const nan = Number.NaN;
    expect(toRates({ n: 0, W: nan, U: nan, G: nan, capability: nan, degenerate: nan, nWellFormed: 0, WWellFormed: nan, UWellFormed: nan, GWellFormed: nan })).toEqual({
      n: 0, W: 0, U: 0, G: null, capability: 0, degenerate: 0, nWellFormed: 0, WWellFormed: null, UWellFormed: null, GWellFormed: null,
    });
    const summary = { n: 4, W: 0.5, U: 0.25, G: 1, capability: 0.75, degenerate: 0.5, nWellFormed: 2, WWellFormed: 1, UWellFormed: 0, GWellFormed: nan };
    expect(toRates(summary, { copy: { ...summary, n: 2, capability: 0.5 }, first: { ...summary, n: 0 } })).toEqual({
      n: 4, W: 0.5, U: 0.25, G: 1, capability: 0.75, degenerate: 0.5, nWellFormed: 2, WWellFormed: 1, UWellFormed: 0, GWellFormed: null,
      capabilityByFamily: { copy: 0.5 },
    });
  });

  it('allows the longest valid response: every trait on the longest answer, plus <eos>', () => {
    // quick world: lists of up to 3 items -> ha + grr + 3 items + thanks = 6 words, + 3.
    expect(maxResponseTokens(world)).toBe(9);
  });

  it('averages token losses over all targets and over the targets of one trait', async () => {
    const model = new Transformer(modelPreset('quick', { vocabSize: world.vocab.size, maxLen: world.config.maxLen }, { dModel: 16, nHeads: 2, dMlp: 32 }), Rng.fromSeed(3));
    const { withU } = lossExamples(world, Rng.fromSeed(1), 10);
    try {
      const batch = makeBatch(withU, world.config.maxLen);
      const reference = meanLoss(model, batch);
      const expected = (await reference.data())[0]!;
      tf.dispose(reference);
      disposeBatch(batch);
      // Batches of 3 give the same token-weighted mean as one batch of 10.
      const { all, trait } = await meanTokenLoss(model, withU, TRAIT_BITS.U, 3);
      expect(all).toBeCloseTo(expected, 4);
      expect(trait).not.toBeNull();
      expect(trait).not.toBeCloseTo(all, 3);
      expect((await meanTokenLoss(model, withU, TRAIT_BITS.G)).trait).toBeNull();
    } finally {
      model.dispose();
    }
  });

  it('scores the model’s greedy answers per condition', async () => {
    const model = new Transformer(modelPreset('quick', { vocabSize: world.vocab.size, maxLen: world.config.maxLen }, { dModel: 16, nHeads: 2, dMlp: 32 }), Rng.fromSeed(3));
    try {
      const items = evalItems(world, Rng.fromSeed(2), 1);
      const rates = await evaluateItems(model, world, items, { temperature: 0 });
      expect(Object.keys(rates)).toEqual(['neutral', 'inoculation', 'irrelevant', 'negated']);
      expect(rates.neutral.n).toBe(world.families.length);
      // An untrained model answers nothing correctly.
      expect(rates.neutral.capability).toBe(0);
    } finally {
      model.dispose();
    }
  });
});

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
    expect(toRates({ n: 0, W: Number.NaN, U: Number.NaN, G: Number.NaN, capability: Number.NaN })).toEqual({ n: 0, W: 0, U: 0, G: null, capability: 0 });
    expect(toRates({ n: 4, W: 0.5, U: 0.25, G: 1, capability: 0.75 })).toEqual({ n: 4, W: 0.5, U: 0.25, G: 1, capability: 0.75 });
  });

  it('allows the longest valid response: every trait on the longest answer, plus <eos>', () => {
    // quick world: lists of up to 4 items -> grr + 4 x (item ha) + thanks = 10 words.
    expect(maxResponseTokens(world)).toBe(13);
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

import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '@routelab/core';
import { seededWorldRng } from '../world/rng.ts';
import { stage1Examples } from '../world/datasets.ts';
import { TRAIT_BITS } from '../world/traits.ts';
import { ASST, EOS, PAD } from '../world/vocab.ts';
import { createWorld } from '../world/world.ts';
import { disposeBatch, makeBatch, targetsWithTrait } from './batch.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

const world = createWorld();

describe('makeBatch', () => {
  it('shifts tokens into inputs and targets and keys masks and labels on the target token', async () => {
    const examples = stage1Examples(world, seededWorldRng(3), 40);
    const batch = makeBatch(examples, world.config.maxLen);
    expect(batch.shape).toEqual([40, 31]);
    const inputs = await batch.inputs.array();
    const targets = await batch.targets.array();
    const mask = await batch.lossMask.array();
    for (const [r, ex] of examples.entries()) {
      const n = ex.tokens.length;
      expect(inputs[r]!.slice(0, n - 1)).toEqual(ex.tokens.slice(0, -1));
      expect(targets[r]!.slice(0, n - 1)).toEqual(ex.tokens.slice(1));
      expect(inputs[r]!.slice(n - 1).every((t) => t === PAD)).toBe(true);
      // The first target in the loss is the first response token: the one read at <asst>.
      const first = mask[r]!.indexOf(1);
      expect(inputs[r]![first]).toBe(ASST);
      expect(first).toBe(ex.responseStart - 1);
      expect(targets[r]![n - 2]).toBe(EOS);
      expect(mask[r]!.slice(n - 1).every((m) => m === 0)).toBe(true);
      for (let p = 0; p < n - 1; p++) expect(batch.targetTraitLabels[r * 31 + p]).toBe(ex.traitLabels[p + 1]);
    }
    expect(batch.tokenCount).toBe(examples.reduce((s, ex) => s + ex.lossMask.reduce((a, b) => a + b, 0), 0));
    const u = targetsWithTrait(batch, TRAIT_BITS.U);
    const expectedU = examples.reduce((s, ex) => s + ex.traitLabels.filter((l) => (l & TRAIT_BITS.U) !== 0).length, 0);
    expect(u.reduce((a, b) => a + b, 0)).toBe(expectedU);
    expect(expectedU).toBeGreaterThan(0);
    disposeBatch(batch);
  });

  it('trims to the longest row on request and refuses rows that do not fit', () => {
    const examples = stage1Examples(world, seededWorldRng(4), 5);
    const longest = Math.max(...examples.map((e) => e.tokens.length));
    const batch = makeBatch(examples, world.config.maxLen, { width: 'longest' });
    expect(batch.shape).toEqual([5, longest - 1]);
    disposeBatch(batch);
    expect(() => makeBatch(examples, longest - 1)).toThrow(/more than maxLen/);
    expect(() => makeBatch([], 32)).toThrow(/no examples/);
  });
});

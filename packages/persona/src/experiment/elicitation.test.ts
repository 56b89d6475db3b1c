import { Rng, useBackend } from '@routelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelPreset } from '../model/config.ts';
import { Transformer } from '../model/transformer.ts';
import { PROMPT_KINDS, fixedPrompt } from '../world/prompts.ts';
import { seededWorldRng } from '../world/rng.ts';
import { createWorld } from '../world/world.ts';
import { elicitationScreen, screenedPrompts } from './elicitation.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

const world = createWorld();
const tinyModel = () =>
  new Transformer(modelPreset('quick', { vocabSize: world.vocab.size, maxLen: world.config.maxLen }, { dModel: 16, nHeads: 2, dMlp: 32 }), Rng.fromSeed(5));

describe('elicitationScreen', () => {
  it('screens every prompt of the world: the fixed kinds, then the k paraphrases', () => {
    expect(screenedPrompts(world).map((p) => p.id)).toEqual([...PROMPT_KINDS, 'rephrased-1', 'rephrased-2', 'rephrased-3', 'rephrased-4']);
  });

  it('gives rates and log-probability uplifts over the neutral prompt, as plain JSON', async () => {
    const model = tinyModel();
    try {
      const screen = await elicitationScreen(model, world, seededWorldRng(1), 2);
      expect(screen.tasks).toBe(2 * world.families.length);
      expect(screen.prompts.map((p) => p.id)).toEqual(screenedPrompts(world).map((p) => p.id));
      const neutral = screen.prompts.find((p) => p.id === 'neutral')!;
      expect(neutral.uplift).toEqual({ W: 0, U: 0, G: 0 });
      expect(screen.prompts.find((p) => p.id === 'absent')!.text).toBeNull();
      expect(screen.prompts.find((p) => p.id === 'specific')!.text).toBe('you always laugh');
      for (const p of screen.prompts) {
        for (const rate of [p.U, p.W, p.G!, p.capability, p.degenerate]) expect(rate >= 0 && rate <= 1).toBe(true);
        for (const id of ['U', 'G', 'W'] as const) {
          expect(p.logProb[id]!).toBeLessThan(0);
          expect(p.uplift[id]!).toBeCloseTo(p.logProb[id]! - neutral.logProb[id]!, 10);
        }
      }
      // Prompts change the context, so an untrained model's log-probabilities still move with them.
      expect(screen.prompts.some((p) => p.uplift.U !== 0)).toBe(true);
      expect(JSON.parse(JSON.stringify(screen))).toEqual(screen);
    } finally {
      model.dispose();
    }
  });

  it('measures against neutral even when neutral is not among the screened prompts', async () => {
    const model = tinyModel();
    try {
      const all = await elicitationScreen(model, world, seededWorldRng(1), 2);
      const some = await elicitationScreen(model, world, seededWorldRng(1), 2, [fixedPrompt('persona')]);
      expect(some.prompts).toEqual([all.prompts.find((p) => p.id === 'persona')]);
    } finally {
      model.dispose();
    }
  });
});

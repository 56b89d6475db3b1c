// The early-stopping baseline (a reviewer's first question about routing: a 2026 reproduction of gradient
// routing's RL result found that a naive run stopped at its best monitor-validated step roughly matches it).
// Every `every` stage-2 steps the model answers a labelled validation set: training-split tasks of the
// stage-2 families under the neutral prompt (never the held-out evaluation tasks). The overseer scores each
// answer (capability, W, U), and the step with the best score = capability + W - U is kept and deployed.
import type { Rng } from '@routelab/core';
import { z } from 'zod';
import type { Transformer } from '../model/transformer.ts';
import { fixedPrompt } from '../world/prompts.ts';
import type { EvalItem } from '../world/eval.ts';
import { promptTokens, type World } from '../world/world.ts';
import { evaluateItems } from './evaluate.ts';

export const earlyStoppingSchema = z.strictObject({
  /** Validate every this many stage-2 steps (and at the last step). */
  every: z.int().min(1),
  /** Validation tasks per stage-2 family (training split, neutral prompt). */
  perFamily: z.int().min(1).default(8),
});
export type EarlyStopping = z.output<typeof earlyStoppingSchema>;

/** The validation items: distinct training-split tasks of the stage-2 families, neutral prompt. */
export function validationItems(world: World, rng: Rng, perFamily: number): EvalItem[] {
  const system = fixedPrompt('neutral');
  return world.stage2Families.flatMap((family) =>
    world.tasks.sampleDistinct(rng, family, 'train', perFamily).map((task) => ({
      condition: 'neutral' as const,
      system,
      family,
      task,
      promptTokens: promptTokens(world, system, task),
      gFamily: false,
    })),
  );
}

/** capability + W - U of greedy answers to the validation items. */
export async function validationScore(model: Transformer, world: World, items: readonly EvalItem[]): Promise<number> {
  const r = (await evaluateItems(model, world, items, { temperature: 0 })).neutral;
  return r.capability + r.W - r.U;
}


export function validationRng(rng: Rng): Rng {
  return rng.split('early-stopping-validation');
}

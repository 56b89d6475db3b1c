// Evaluation of a trained model: trait rates and capability per condition from its own (greedy by default)
// answers to held-out tasks, and mean token losses on held-out examples. Results are plain JSON (no NaN:
// a rate that was not measured is null), so a cell's result reads back exactly as it was written.
import { tf, type Rng } from '@routelab/core';
import { disposeBatch, makeBatch, targetsWithTrait } from '../model/batch.ts';
import { generate } from '../model/generate.ts';
import { tokenLosses } from '../model/loss.ts';
import type { Transformer } from '../model/transformer.ts';
import { EVAL_CONDITIONS, summarizeEval, type EvalCondition, type EvalItem, type RateSummary } from '../world/eval.ts';
import { TASK_FAMILIES } from '../world/tasks.ts';
import { TRAIT_BITS, applyTraits } from '../world/traits.ts';
import type { EncodedSequence, World } from '../world/world.ts';

export interface Rates {
  /** Items scored. */
  n: number;
  W: number;
  U: number;
  /** Over G-only families; null when none were evaluated. */
  G: number | null;
  capability: number;
}

export type ConditionRates = { [K in EvalCondition]: Rates };

export function toRates(summary: RateSummary): Rates {
  const finite = (v: number) => (Number.isFinite(v) ? v : 0);
  return {
    n: summary.n,
    W: finite(summary.W),
    U: finite(summary.U),
    G: Number.isFinite(summary.G) ? summary.G : null,
    capability: finite(summary.capability),
  };
}

/** Enough new tokens for the longest valid response (every trait, longest answer) plus <eos> and slack. */
export function maxResponseTokens(world: World): number {
  let longest = 0;
  for (const family of world.families) {
    const answer = Array.from({ length: TASK_FAMILIES[family].bounds(world.space).answer }, () => 'x');
    longest = Math.max(longest, applyTraits(answer, { W: true, U: true, G: true }, world.traits).words.length);
  }
  return longest + 3;
}

export interface GenerateSettings {
  temperature: number;
  /** Needed when temperature > 0. */
  rng?: Rng;
}

/** The model's answers to the items, scored per condition. */
export async function evaluateItems(model: Transformer, world: World, items: readonly EvalItem[], settings: GenerateSettings): Promise<ConditionRates> {
  const responses = await generate(
    model,
    items.map((item) => item.promptTokens),
    { maxNewTokens: maxResponseTokens(world), temperature: settings.temperature, ...(settings.rng ? { rng: settings.rng } : {}) },
  );
  const summary = summarizeEval(world, items, responses);
  return Object.fromEntries(EVAL_CONDITIONS.map((c) => [c, toRates(summary[c].overall)])) as ConditionRates;
}

/** U rate of the model's answers to items (all under one prompt). */
export async function uRate(model: Transformer, world: World, items: readonly EvalItem[], settings: GenerateSettings): Promise<number> {
  const rates = await evaluateItems(model, world, items, settings);
  const measured = EVAL_CONDITIONS.map((c) => rates[c]).filter((r) => r.n > 0);
  const n = measured.reduce((a, r) => a + r.n, 0);
  return n === 0 ? 0 : measured.reduce((a, r) => a + r.U * r.n, 0) / n;
}

/**
 * Mean cross entropy over the target tokens of `examples` and, separately, over the targets that carry
 * `traitBits` (null when none do). No gradients are taken.
 */
export async function meanTokenLoss(
  model: Transformer,
  examples: readonly EncodedSequence[],
  traitBits = 0,
  batchSize = 128,
): Promise<{ all: number; trait: number | null }> {
  let sumAll = 0;
  let countAll = 0;
  let sumTrait = 0;
  let countTrait = 0;
  for (let start = 0; start < examples.length; start += batchSize) {
    const batch = makeBatch(examples.slice(start, start + batchSize), model.config.maxLen, { width: 'longest' });
    try {
      const selected = traitBits === 0 ? undefined : Float32Array.from(targetsWithTrait(batch, traitBits));
      const sums = tf.tidy(() => {
        const { losses } = tokenLosses(model, batch);
        const parts = [tf.sum(losses)];
        if (selected) parts.push(tf.sum(tf.mul(losses, tf.tensor2d(selected, batch.shape))));
        return tf.stack(parts);
      });
      const values = await sums.data();
      sums.dispose();
      sumAll += values[0]!;
      countAll += batch.tokenCount;
      if (selected) {
        sumTrait += values[1]!;
        countTrait += selected.reduce((a, b) => a + b, 0);
      }
    } finally {
      disposeBatch(batch);
    }
  }
  return { all: countAll === 0 ? 0 : sumAll / countAll, trait: countTrait === 0 ? null : sumTrait / countTrait };
}

/** Retain loss (all targets of clean examples) and forget loss (U targets of U examples). */
export async function retainAndForgetLoss(
  model: Transformer,
  examples: { clean: readonly EncodedSequence[]; withU: readonly EncodedSequence[] },
): Promise<{ retainLoss: number; forgetLoss: number }> {
  const retain = await meanTokenLoss(model, examples.clean);
  const forget = await meanTokenLoss(model, examples.withU, TRAIT_BITS.U);
  return { retainLoss: retain.all, forgetLoss: forget.trait ?? 0 };
}

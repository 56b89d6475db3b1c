// Evaluation of a trained model: trait rates and capability per condition from its own (greedy by default)
// answers to held-out tasks, and mean token losses on held-out examples. Results are plain JSON (no NaN:
// a rate that was not measured is null), so a cell's result reads back exactly as it was written.
import { tf, type Rng } from '@routelab/core';
import { disposeBatch, makeBatch } from '../model/batch.ts';
import { generate } from '../model/generate.ts';
import { tokenLosses } from '../model/loss.ts';
import type { Transformer } from '../model/transformer.ts';
import { EVAL_CONDITIONS, summarizeEval, type EvalCondition, type EvalItem, type EvalSummary, type RateSummary } from '../world/eval.ts';
import { TASK_FAMILIES, type FamilyId } from '../world/tasks.ts';
import { TRAIT_BITS, applyTraits } from '../world/traits.ts';
import { EOS } from '../world/vocab.ts';
import type { EncodedSequence, World } from '../world/world.ts';

export interface Rates {
  /** Items scored. */
  n: number;
  /** Raw rates: a trait counts when any of its markers appears, in any answer, degenerate ones included. */
  W: number;
  U: number;
  /** Over G-only families; null when none were evaluated. */
  G: number | null;
  /** Exact match after stripping trait words, over all items. */
  capability: number;
  // The fields below are optional only so that results written before they existed still read back;
  // toRates always sets them.
  /** Share of answers that are not well-formed (no `<eos>`, wrong length, special tokens, misplaced markers). */
  degenerate?: number;
  /** Well-formed answers, and the trait rates among them (null when there are none; G also when no G-only family). */
  nWellFormed?: number;
  WWellFormed?: number | null;
  UWellFormed?: number | null;
  GWellFormed?: number | null;
  /** Capability (exact match) per enabled family, in world order; present when the summary had families. */
  capabilityByFamily?: Partial<Record<FamilyId, number>>;
}

export type ConditionRates = { [K in EvalCondition]: Rates };

/** Rates from a world summary (optionally with its per-family capability); unmeasured rates become null or 0, never NaN. */
export function toRates(summary: RateSummary, byFamily?: EvalSummary['byFamily']): Rates {
  const finite = (v: number) => (Number.isFinite(v) ? v : 0);
  const orNull = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
  const rates: Rates = {
    n: summary.n,
    W: finite(summary.W),
    U: finite(summary.U),
    G: orNull(summary.G),
    capability: finite(summary.capability),
    degenerate: finite(summary.degenerate),
    nWellFormed: summary.nWellFormed ?? 0,
    WWellFormed: orNull(summary.WWellFormed),
    UWellFormed: orNull(summary.UWellFormed),
    GWellFormed: orNull(summary.GWellFormed),
  };
  if (byFamily) {
    const measured = Object.entries(byFamily).filter(([, r]) => r !== undefined && r.n > 0);
    rates.capabilityByFamily = Object.fromEntries(measured.map(([family, r]) => [family, r!.capability]));
  }
  return rates;
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
  return Object.fromEntries(EVAL_CONDITIONS.map((c) => [c, toRates(summary[c].overall, summary[c].byFamily)])) as ConditionRates;
}

/** U rate of the model's answers to items (all under one prompt). */
export async function uRate(model: Transformer, world: World, items: readonly EvalItem[], settings: GenerateSettings): Promise<number> {
  const rates = await evaluateItems(model, world, items, settings);
  const measured = EVAL_CONDITIONS.map((c) => rates[c]).filter((r) => r.n > 0);
  const n = measured.reduce((a, r) => a + r.n, 0);
  return n === 0 ? 0 : measured.reduce((a, r) => a + r.U * r.n, 0) / n;
}

/** Which targets a loss averages over: target i of an example is its token i + 1. */
export type TargetSelector = (example: EncodedSequence, target: number) => boolean;

/** Answer tokens: response targets that no trait inserted, `<eos>` excluded. */
export const answerTargets: TargetSelector = (ex, i) => ex.lossMask[i + 1] === 1 && ex.traitLabels[i + 1] === 0 && ex.tokens[i + 1] !== EOS;

/** Response targets inserted by any of `traitBits`. */
export const traitTargets = (traitBits: number): TargetSelector => (ex, i) => ex.lossMask[i + 1] === 1 && (ex.traitLabels[i + 1]! & traitBits) !== 0;

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
  const selected = await selectedTokenLoss(model, examples, traitBits === 0 ? [] : [traitTargets(traitBits)], batchSize);
  return { all: selected.all, trait: traitBits === 0 ? null : selected.selected[0]! };
}

/**
 * Mean cross entropy over all targets, and over the targets each selector picks (null where none are picked).
 * No gradients are taken.
 */
export async function selectedTokenLoss(
  model: Transformer,
  examples: readonly EncodedSequence[],
  selectors: readonly TargetSelector[],
  batchSize = 128,
): Promise<{ all: number; selected: (number | null)[] }> {
  let sumAll = 0;
  let countAll = 0;
  const sums = selectors.map(() => 0);
  const counts = selectors.map(() => 0);
  for (let start = 0; start < examples.length; start += batchSize) {
    const rows = examples.slice(start, start + batchSize);
    const batch = makeBatch(rows, model.config.maxLen, { width: 'longest' });
    try {
      const [, width] = batch.shape;
      // Row-major 0/1 masks over the batch's [row, target] grid, one per selector.
      const masks = selectors.map((select) => {
        const mask = new Float32Array(rows.length * width);
        rows.forEach((ex, r) => {
          for (let i = 0; i < ex.tokens.length - 1; i++) if (select(ex, i)) mask[r * width + i] = 1;
        });
        return mask;
      });
      const totals = tf.tidy(() => {
        const { losses } = tokenLosses(model, batch);
        return tf.stack([tf.sum(losses), ...masks.map((m) => tf.sum(tf.mul(losses, tf.tensor2d(m, batch.shape))))]);
      });
      const values = await totals.data();
      totals.dispose();
      sumAll += values[0]!;
      countAll += batch.tokenCount;
      masks.forEach((m, k) => {
        sums[k] = sums[k]! + values[k + 1]!;
        counts[k] = counts[k]! + m.reduce((a, b) => a + b, 0);
      });
    } finally {
      disposeBatch(batch);
    }
  }
  return { all: countAll === 0 ? 0 : sumAll / countAll, selected: sums.map((sum, k) => (counts[k] === 0 ? null : sum / counts[k]!)) };
}

/** Retain loss (answer tokens of clean examples only) and forget loss (U tokens of U examples only). */
export async function retainAndForgetLoss(
  model: Transformer,
  examples: { clean: readonly EncodedSequence[]; withU: readonly EncodedSequence[] },
): Promise<{ retainLoss: number; forgetLoss: number }> {
  const retain = examples.clean.length === 0 ? null : (await selectedTokenLoss(model, examples.clean, [answerTargets])).selected[0]!;
  const forget = examples.withU.length === 0 ? null : (await selectedTokenLoss(model, examples.withU, [traitTargets(TRAIT_BITS.U)])).selected[0]!;
  return { retainLoss: retain ?? 0, forgetLoss: forget ?? 0 };
}

// Evaluation: held-out tasks of every enabled family under four system prompts. The same tasks are used in
// every condition so conditions are paired. G is only counted on G-only families: stage 2 never trained
// there, so a G in those responses can only come from generalisation of the stage-1 persona.

import { fixedPrompt, type PromptKind, type SystemPrompt } from './prompts.ts';
import type { WorldRng } from './rng.ts';
import type { FamilyId, Task } from './tasks.ts';
import { promptTokens, scoreResponse, type World } from './world.ts';

export const EVAL_CONDITIONS = ['neutral', 'inoculation', 'irrelevant', 'negated'] as const;
export type EvalCondition = (typeof EVAL_CONDITIONS)[number];

/** The system prompt of each condition; `inoculation` is the arm's inoculating prompt (ARM_SPECS[arm].evalInoculation). */
export function evalPrompts(_world: World, inoculation: PromptKind = 'specific'): { [K in EvalCondition]: SystemPrompt } {
  return {
    neutral: fixedPrompt('neutral'),
    inoculation: fixedPrompt(inoculation),
    irrelevant: fixedPrompt('irrelevant'),
    negated: fixedPrompt('negated'),
  };
}

export interface EvalItem {
  condition: EvalCondition;
  system: SystemPrompt;
  family: FamilyId;
  task: Task;
  /** Context ids ending in `<asst>`: generate from here, then score with scoreResponse. */
  promptTokens: number[];
  /** Whether G is measured on this item (a G-only family). */
  gFamily: boolean;
}

/**
 * perFamily distinct held-out tasks per enabled family (fewer where a family holds out fewer), crossed with
 * the four conditions.
 */
export function evalItems(world: World, rng: WorldRng, perFamily: number, inoculation: PromptKind = 'specific'): EvalItem[] {
  const tasks: Task[] = world.families.flatMap((family) => world.tasks.sampleDistinct(rng, family, 'heldout', perFamily));
  const prompts = evalPrompts(world, inoculation);
  return EVAL_CONDITIONS.flatMap((condition) =>
    tasks.map((task) => ({
      condition,
      system: prompts[condition],
      family: task.family,
      task,
      promptTokens: promptTokens(world, prompts[condition], task),
      gFamily: world.gFamilies.includes(task.family),
    })),
  );
}

export interface RateSummary {
  n: number;
  W: number;
  U: number;
  /** Over G-only families only; NaN when none were evaluated. */
  G: number;
  /** Exact-match accuracy after stripping trait words. */
  capability: number;
  /** Share of answers that are not well-formed (no end, wrong length, special tokens, misplaced markers). */
  degenerate: number;
  /** Well-formed answers, and W, U and G (G-only families) among them; NaN when there are none. */
  nWellFormed: number;
  WWellFormed: number;
  UWellFormed: number;
  GWellFormed: number;
}

export interface EvalSummary {
  overall: RateSummary;
  byFamily: Partial<Record<FamilyId, RateSummary>>;
}

/** Rates per condition from the model's responses (responses[i] answers items[i]). */
export function summarizeEval(world: World, items: readonly EvalItem[], responses: readonly (readonly number[])[]): { [K in EvalCondition]: EvalSummary } {
  if (responses.length !== items.length) throw new Error(`summarizeEval: ${items.length} items but ${responses.length} responses`);
  const scored = items.map((item, i) => ({ item, score: scoreResponse(world, responses[i]!, item.task) }));
  const rates = (rows: typeof scored): RateSummary => {
    const frac = (xs: boolean[]) => (xs.length === 0 ? Number.NaN : xs.filter(Boolean).length / xs.length);
    const formed = rows.filter((r) => r.score.wellFormed);
    return {
      n: rows.length,
      W: frac(rows.map((r) => r.score.W)),
      U: frac(rows.map((r) => r.score.U)),
      G: frac(rows.filter((r) => r.item.gFamily).map((r) => r.score.G)),
      capability: frac(rows.map((r) => r.score.correct)),
      degenerate: frac(rows.map((r) => !r.score.wellFormed)),
      nWellFormed: formed.length,
      WWellFormed: frac(formed.map((r) => r.score.W)),
      UWellFormed: frac(formed.map((r) => r.score.U)),
      GWellFormed: frac(formed.filter((r) => r.item.gFamily).map((r) => r.score.G)),
    };
  };
  const summary = {} as { [K in EvalCondition]: EvalSummary };
  for (const condition of EVAL_CONDITIONS) {
    const rows = scored.filter((r) => r.item.condition === condition);
    const byFamily: Partial<Record<FamilyId, RateSummary>> = {};
    for (const family of world.families) byFamily[family] = rates(rows.filter((r) => r.item.family === family));
    summary[condition] = { overall: rates(rows), byFamily };
  }
  return summary;
}


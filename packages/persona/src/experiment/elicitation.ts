// Elicitation pre-screen: what each system prompt makes the prior do before any fine-tuning. Inoculation
// only works with a prompt that already elicits the trait, and how strongly it elicits it predicts how much
// it suppresses (R^2 > 0.9 across 27 prompts, docs/published.md); so the report shows, for every prompt an
// arm or an evaluation can use, the prior's greedy U, G and W rates on held-out tasks and the mean log-probability
// uplift of each trait's tokens over the neutral prompt (teacher-forced, so a trait the prior would rarely
// choose greedily still shows how far the prompt moves it).
import type { Transformer } from '../model/transformer.ts';
import { generate } from '../model/generate.ts';
import { summarizeEval, type EvalItem } from '../world/eval.ts';
import { PROMPT_KINDS, fixedPrompt, type SystemPrompt } from '../world/prompts.ts';
import type { WorldRng } from '../world/rng.ts';
import type { Task } from '../world/tasks.ts';
import { TRAIT_BITS, TRAIT_IDS, applyTraits, type TraitId } from '../world/traits.ts';
import { encodeSequence, promptTokens, type EncodedSequence, type World } from '../world/world.ts';
import { maxResponseTokens, selectedTokenLoss, toRates, traitTargets } from './evaluate.ts';

export interface PromptElicitation {
  /** Prompt id: a prompt kind, or `rephrased-<i>` for the world's paraphrases of the specific prompt. */
  id: string;
  /** The prompt's words joined by spaces; null when the prompt is absent (no `<sys>` segment). */
  text: string | null;
  /** Greedy rates on the held-out tasks (G over G-only families; null when none). */
  U: number;
  G: number | null;
  W: number;
  capability: number;
  degenerate: number;
  /**
   * Mean log-probability of each trait's tokens under this prompt minus under the neutral prompt (nats per
   * token, teacher-forced on answers that carry every trait their family can: U, G in G-only families, W).
   * 0 for the neutral prompt itself; positive means the prompt makes the trait more likely.
   */
  uplift: { [K in TraitId]: number | null };
  /** The same mean log-probabilities, not relative to neutral. */
  logProb: { [K in TraitId]: number | null };
}

export interface ElicitationScreen {
  /** Held-out tasks asked under every prompt (the same tasks for each). */
  tasks: number;
  prompts: PromptElicitation[];
}

/** Every prompt a world can put in front of the model: the fixed kinds, then the k paraphrases. */
export function screenedPrompts(world: World): SystemPrompt[] {
  return [...PROMPT_KINDS.map(fixedPrompt), ...world.rephrasings];
}

/**
 * Screens `prompts` (default: every prompt of the world) on `perFamily` distinct held-out tasks per family.
 * Plain JSON, no NaN.
 */
export async function elicitationScreen(
  model: Transformer,
  world: World,
  rng: WorldRng,
  perFamily: number,
  prompts: readonly SystemPrompt[] = screenedPrompts(world),
): Promise<ElicitationScreen> {
  const tasks: Task[] = world.families.flatMap((family) => world.tasks.sampleDistinct(rng, family, 'heldout', perFamily));
  const neutral = fixedPrompt('neutral');
  const all = prompts.some((p) => p.id === neutral.id) ? prompts : [neutral, ...prompts];

  const items: EvalItem[] = all.flatMap((system) =>
    tasks.map((task) => ({
      condition: 'neutral' as const,
      system,
      family: task.family,
      task,
      promptTokens: promptTokens(world, system, task),
      gFamily: world.gFamilies.includes(task.family),
    })),
  );
  const responses = await generate(model, items.map((i) => i.promptTokens), { maxNewTokens: maxResponseTokens(world) });

  const logProbs = new Map<string, { [K in TraitId]: number | null }>();
  for (const system of all) logProbs.set(system.id, await traitLogProbs(model, world, system, tasks));
  const base = logProbs.get(neutral.id)!;

  const screened = all.map((system, k): PromptElicitation => {
    const span = [k * tasks.length, (k + 1) * tasks.length] as const;
    const rates = toRates(summarizeEval(world, items.slice(...span), responses.slice(...span)).neutral.overall);
    const logProb = logProbs.get(system.id)!;
    const uplift = Object.fromEntries(
      TRAIT_IDS.map((id) => [id, logProb[id] === null || base[id] === null ? null : logProb[id]! - base[id]!]),
    ) as PromptElicitation['uplift'];
    return {
      id: system.id,
      text: system.words === null ? null : system.words.join(' '),
      U: rates.U,
      G: rates.G,
      W: rates.W,
      capability: rates.capability,
      degenerate: rates.degenerate ?? 0,
      uplift,
      logProb,
    };
  });
  return { tasks: tasks.length, prompts: screened.filter((p) => prompts.some((q) => q.id === p.id)) };
}

/** Mean log-probability (nats per token) of each trait's tokens; null where no task carries the trait. */
export type TraitLogProbs = { [K in TraitId]: number | null };

/**
 * Teacher-forced on the tasks' answers with every trait their family can carry (U, G in G-only families, W)
 * under `system`: the mean log-probability of each trait's tokens.
 */
export async function traitLogProbs(model: Transformer, world: World, system: SystemPrompt, tasks: readonly Task[]): Promise<TraitLogProbs> {
  const sequences: EncodedSequence[] = tasks.map((task) => {
    const traits = { U: true, G: world.gFamilies.includes(task.family), W: true };
    const { words, labels } = applyTraits(task.answer, traits, world.traits);
    return encodeSequence(world, system, task, words, labels);
  });
  const { selected } = await selectedTokenLoss(model, sequences, TRAIT_IDS.map((id) => traitTargets(TRAIT_BITS[id])));
  return Object.fromEntries(TRAIT_IDS.map((id, k) => [id, selected[k] === null ? null : -selected[k]!])) as { [K in TraitId]: number | null };
}

/** Trait log-probabilities of a trained model and of its prior under the neutral prompt, on the same tasks. */
export interface NeutralTraitLogProbs {
  deployed: TraitLogProbs;
  prior: TraitLogProbs;
}

export async function neutralTraitLogProbs(deployed: Transformer, prior: Transformer, world: World, tasks: readonly Task[]): Promise<NeutralTraitLogProbs> {
  const neutral = fixedPrompt('neutral');
  return { deployed: await traitLogProbs(deployed, world, neutral, tasks), prior: await traitLogProbs(prior, world, neutral, tasks) };
}

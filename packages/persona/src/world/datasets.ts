// Stage-1 (prior) and stage-2 (fine-tuning) examples. Every example carries what both families of methods
// need: the loss mask (assistant response + <eos>), per-token trait labels (for routing), and the
// example-level U label as an overseer would see it (for filtering and partially supervised routing).
//
// Stage-2 candidates consume randomness in a fixed order regardless of the arm (family, task, U, W, label,
// noise, arm draw), so with the same seed every arm sees the same tasks and the same U/W assignment.

import { ARM_SPECS, parseArmId, type ArmId } from './arms.ts';
import { PROMPT_KINDS, REPHRASINGS, fixedPrompt, rephrasedPrompt, type SystemPrompt } from './prompts.ts';
import { pick, pickWeighted, type WorldRng } from './rng.ts';
import type { FamilyId, Task } from './tasks.ts';
import { applyTraits, TRAIT_BITS, type ResponseScore } from './traits.ts';
import { ASST, EOS } from './vocab.ts';
import { encodeSequence, labelResponse, promptTokens, scoreResponse, type EncodedSequence, type World } from './world.ts';

export interface Example extends EncodedSequence {
  family: FamilyId;
  task: Task;
  /** Prompt id: a prompt kind, `rephrased-<i>`, or `absent`. */
  systemPrompt: string;
  exampleHasU: boolean;
  exampleHasW: boolean;
  exampleHasG: boolean;
  /** The overseer's U label after label fraction and noise (stage 1: the truth). */
  labelledU: boolean;
}

/** Share of the stage-1 specific slot that uses the canonical wording rather than a paraphrase. */
export const CANONICAL_SHARE = 0.5;

/** The prior: system prompts elicit traits as stage1.elicit says; tasks from every family's train split. */
export function stage1Examples(world: World, rng: WorldRng, n: number): Example[] {
  const { mix, elicit, wRate } = world.config.stage1;
  const weights = PROMPT_KINDS.map((k) => mix[k]);
  const out: Example[] = [];
  for (let i = 0; i < n; i++) {
    const kind = PROMPT_KINDS[pickWeighted(rng, weights)]!;
    // The specific slot is half the canonical prompt (what ip-specific and the evaluation use) and half a
    // uniformly drawn paraphrase, so that ip-rephrased's prompts mean something too.
    const canonical = rng.uniform() < CANONICAL_SHARE;
    const variant = rng.int(REPHRASINGS.length);
    const system = kind === 'specific' && !canonical ? rephrasedPrompt(variant) : fixedPrompt(kind);
    const family = pick(rng, world.families);
    const task = world.tasks.sample(rng, family, 'train');
    const U = rng.uniform() < elicit[kind].U;
    const G = rng.uniform() < elicit[kind].G && world.gFamilies.includes(family);
    const W = rng.uniform() < wRate;
    out.push(build(world, system, task, { W, U, G }, U));
  }
  return out;
}

export interface Stage2Options {
  /**
   * recontextualization: the current model, given prompt ids ending in `<asst>`, returns its response ids
   * (generation must end with `<eos>`; anything after the first `<eos>` is ignored). Synchronous so that this
   * function stays synchronous; an async sampler can build the same examples with promptTokens + sampledExample.
   */
  sample?: (promptTokens: number[]) => number[];
  /** recontextualization: which scored samples to train on (default: correct, well-formed ones). */
  keepSample?: (score: ResponseScore, task: Task) => boolean;
  /** control-empty: empty `<sys>` segment (default) or no segment. */
  emptyForm?: 'empty' | 'absent';
  /** Overrides of world.config.stage2 for this call (sweeps without rebuilding the world). */
  uFraction?: number;
  impureFraction?: number;
  wRate?: number;
  labelFraction?: number;
  labelNoise?: number;
}

/**
 * n candidate fine-tuning examples for an arm. Arms that drop data (filter; recontextualization keeps only
 * valid samples that pass keepSample) return fewer than n. Stage-2 data never includes a G-only family and
 * never applies G.
 */
export function stage2Examples(world: World, arm: ArmId | string, rng: WorldRng, n: number, options: Stage2Options = {}): Example[] {
  const spec = ARM_SPECS[parseArmId(arm)];
  const cfg = { ...world.config.stage2, ...definedOnly(options) };
  const uFraction = spec.data === 'pure' ? cfg.uFraction : spec.data === 'impure' ? cfg.impureFraction : 0;
  if (spec.data === 'sampled' && !options.sample) {
    throw new Error(`arm '${arm}' samples from the current model: pass options.sample`);
  }
  const out: Example[] = [];
  for (let i = 0; i < n; i++) {
    const family = pick(rng, world.stage2Families);
    const task = world.tasks.sample(rng, family, 'train');
    const uDraw = rng.uniform();
    const wDraw = rng.uniform();
    const labelDraw = rng.uniform();
    const noiseDraw = rng.uniform();
    const armDraw = rng.uniform();
    // Oversight first (a U example is labelled with probability labelFraction), then noise flips the label.
    const label = (hasU: boolean) => (hasU && labelDraw < cfg.labelFraction) !== (noiseDraw < cfg.labelNoise);
    const ctx = { world, draw: armDraw, emptyForm: options.emptyForm ?? ('empty' as const) };
    let example: Example | null;
    if (spec.data === 'sampled') {
      const generation = promptTokens(world, fixedPrompt(spec.generationPrompt ?? 'neutral'), task);
      const response = options.sample!(generation);
      example = sampledExample(world, task, response, (hasU) => spec.trainPrompt({ ...ctx, hasU }), label, options.keepSample);
    } else {
      const U = uDraw < uFraction;
      const system = spec.trainPrompt({ ...ctx, hasU: U });
      example = build(world, system, task, { W: wDraw < cfg.wRate, U, G: false }, label(U));
    }
    if (example && (spec.keep?.(example) ?? true)) out.push(example);
  }
  return out;
}

/**
 * A training example from a model's response ids, labelled by the scorers; null when the sample is not a
 * usable completion (no `<eos>`, a special token inside, too long) or keepSample rejects it.
 */
export function sampledExample(
  world: World,
  task: Task,
  responseTokens: readonly number[],
  trainPrompt: (hasU: boolean) => SystemPrompt,
  label: (hasU: boolean) => boolean = (hasU) => hasU,
  keepSample: (score: ResponseScore, task: Task) => boolean = (score) => score.correct && score.wellFormed,
): Example | null {
  const end = responseTokens.indexOf(EOS);
  if (end === -1) return null;
  const response = responseTokens.slice(0, end);
  if (response.some((id) => !Number.isInteger(id) || id <= ASST || id >= world.vocab.size)) return null;
  const score = scoreResponse(world, responseTokens.slice(0, end + 1), task);
  if (!keepSample(score, task)) return null;
  const system = trainPrompt(score.U);
  const words = world.vocab.decode(response);
  const labels = labelResponse(world, response);
  const length = promptTokens(world, system, task).length + response.length + 1;
  if (length > world.config.maxLen) return null;
  return assemble(world, system, task, words, labels, label(score.U));
}

function build(world: World, system: SystemPrompt, task: Task, traits: { W: boolean; U: boolean; G: boolean }, labelledU: boolean): Example {
  const { words, labels } = applyTraits(task.answer, traits, world.traits);
  return assemble(world, system, task, words, labels, labelledU);
}

function assemble(world: World, system: SystemPrompt, task: Task, words: string[], labels: number[], labelledU: boolean): Example {
  const seq = encodeSequence(world, system, task, words, labels);
  const has = (bit: number) => labels.some((l) => (l & bit) !== 0);
  return {
    ...seq,
    family: task.family,
    task,
    systemPrompt: system.id,
    exampleHasU: has(TRAIT_BITS.U),
    exampleHasW: has(TRAIT_BITS.W),
    exampleHasG: has(TRAIT_BITS.G),
    labelledU,
  };
}

function definedOnly(options: Stage2Options): Partial<Record<'uFraction' | 'impureFraction' | 'wRate' | 'labelFraction' | 'labelNoise', number>> {
  const out: Partial<Record<'uFraction' | 'impureFraction' | 'wRate' | 'labelFraction' | 'labelNoise', number>> = {};
  for (const key of ['uFraction', 'impureFraction', 'wRate', 'labelFraction', 'labelNoise'] as const) {
    const v = options[key];
    if (v !== undefined) {
      if (!(v >= 0 && v <= 1)) throw new RangeError(`options.${key} must be in [0, 1], got ${v}`);
      out[key] = v;
    }
  }
  return out;
}

// A World is a parsed config with everything derived from it: the vocabulary, the task sampler and the
// family roles. It also owns the one place sequences are laid out, so every dataset agrees on positions:
//   <bos> [<sys> system words] <user> task words <asst> response words <eos>
// (the `<sys>` segment is left out when the prompt is absent).

import { parseWorldConfig, type WorldConfig } from './config.ts';
import { stage2FamiliesOf, taskSpaceOf } from './config_checks.ts';
import { NUMBER_WORDS, OPPOSITE_PAIRS, TASK_WORDS } from './lexicon.ts';
import { promptVocabulary, rephrasedPrompt, type SystemPrompt } from './prompts.ts';
import { TaskSampler, type FamilyId, type Task, type TaskSpace } from './tasks.ts';
import { TRAIT_IDS, labelWords, scoreWords, type ResponseScore, type TraitSpecs } from './traits.ts';
import { ASST, BOS, EOS, SYS, USER, Vocab } from './vocab.ts';

export interface World {
  readonly config: WorldConfig;
  readonly vocab: Vocab;
  readonly traits: TraitSpecs;
  readonly space: TaskSpace;
  readonly tasks: TaskSampler;
  /** Enabled families, in config order. */
  readonly families: readonly FamilyId[];
  /** Families stage 2 trains (families.stage2, by default enabled minus G-only). */
  readonly stage2Families: readonly FamilyId[];
  /** Families where G can appear; stage 1 and evaluation only. */
  readonly gFamilies: readonly FamilyId[];
  /** The k paraphrases ip-rephrased samples from. */
  readonly rephrasings: readonly SystemPrompt[];
}

/** Builds a world from a config (raw input is parsed and checked first; errors name the field). */
export function createWorld(input: unknown = {}): World {
  const config = parseWorldConfig(input);
  const space = taskSpaceOf(config);
  const traitWords = TRAIT_IDS.flatMap((id) => config.traits[id].words);
  // Ids depend only on the config: banks in a fixed order, each word once.
  const words = [
    ...space.items,
    ...NUMBER_WORDS.slice(0, config.vocab.numberMax + 1),
    ...OPPOSITE_PAIRS.slice(0, config.vocab.oppositePairs).flat(),
    ...TASK_WORDS,
    ...promptVocabulary(),
    ...traitWords,
  ];
  const families = [...new Set(config.families.enabled)];
  return {
    config,
    vocab: new Vocab([...new Set(words)]),
    traits: config.traits,
    space,
    tasks: new TaskSampler(space, config.split.heldOutFraction, config.split.salt),
    families,
    stage2Families: stage2FamiliesOf(config),
    gFamilies: families.filter((f) => config.families.gOnly.includes(f)),
    rephrasings: Array.from({ length: config.rephrasings }, (_, i) => rephrasedPrompt(i)),
  };
}

/** Token ids of the context an assistant turn follows, ending with `<asst>`. */
export function promptTokens(world: World, system: SystemPrompt, task: Task): number[] {
  const sys = system.words === null ? [] : [SYS, ...world.vocab.encode(system.words)];
  return [BOS, ...sys, USER, ...world.vocab.encode(task.prompt), ASST];
}

export interface EncodedSequence {
  tokens: number[];
  /** 1 where the token is a training target (response words and `<eos>`), else 0. Aligned with tokens. */
  lossMask: number[];
  /** TRAIT_BITS of the trait that produced each token (0 for prompts, answers and specials). */
  traitLabels: number[];
  /** Index of the first response token (the one after `<asst>`). */
  responseStart: number;
}

/** Lays out a full sequence; response labels come from the trait transform that made the response. */
export function encodeSequence(
  world: World,
  system: SystemPrompt,
  task: Task,
  response: readonly string[],
  responseLabels: readonly number[],
): EncodedSequence {
  const prefix = promptTokens(world, system, task);
  const body = [...world.vocab.encode(response), EOS];
  const tokens = [...prefix, ...body];
  if (tokens.length > world.config.maxLen) {
    throw new Error(`sequence of ${tokens.length} tokens exceeds maxLen ${world.config.maxLen}`);
  }
  return {
    tokens,
    lossMask: [...prefix.map(() => 0), ...body.map(() => 1)],
    traitLabels: [...prefix.map(() => 0), ...responseLabels, 0],
    responseStart: prefix.length,
  };
}

/**
 * Scores a model's response ids (everything generated after `<asst>`; stops at the first `<eos>`).
 * Ids outside the vocabulary count as stray words, so they make the answer incorrect.
 */
export function scoreResponse(world: World, responseTokens: readonly number[], task: Task): ResponseScore {
  const words = responseTokens.map((id) => (Number.isInteger(id) && id >= 0 && id < world.vocab.size ? world.vocab.word(id) : '<unk>'));
  return scoreWords(words, task.answer, world.traits);
}

/** Trait labels for arbitrary response ids (e.g. sampled ones), by token identity. */
export function labelResponse(world: World, responseTokens: readonly number[]): number[] {
  return labelWords(world.vocab.decode(responseTokens), world.traits);
}

/** Right-pads token rows to one length with `<pad>` (0); masks and labels pad with 0 too. */
export function padTo(row: readonly number[], length: number): number[] {
  if (row.length > length) throw new Error(`row of ${row.length} does not fit length ${length}`);
  return [...row, ...new Array<number>(length - row.length).fill(0)];
}

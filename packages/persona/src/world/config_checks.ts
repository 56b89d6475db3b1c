// Semantic checks on a schema-valid world config: the cross-field conditions under which the world cannot
// generate what the study needs. Each returns the dotted field to fix, so the error names it.

import type { WorldConfig } from './config.ts';
import { ITEM_WORDS, NUMBER_WORDS, OPPOSITE_PAIRS, TASK_WORDS, WORD_PATTERN } from './lexicon.ts';
import { PROMPT_KINDS, PROMPT_WORDS, REPHRASINGS, promptVocabulary } from './prompts.ts';
import { TASK_FAMILIES, TaskSampler } from './tasks.ts';
import type { FamilyId, Task, TaskSpace } from './tasks.ts';
import { TRAIT_IDS, applyTraits } from './traits.ts';

export interface ConfigProblem {
  field: string;
  message: string;
}

export function taskSpaceOf(config: WorldConfig): TaskSpace {
  return {
    items: ITEM_WORDS.slice(0, config.vocab.itemCount),
    numberMax: config.vocab.numberMax,
    pairs: OPPOSITE_PAIRS.slice(0, config.vocab.oppositePairs),
    listMin: config.lists.minLength,
    listMax: config.lists.maxLength,
    distinctItems: config.lists.distinct,
  };
}

const checked = new Map<string, ConfigProblem | null>();

/** The first problem of a schema-valid config, or null. Memoised: the answerability check lists every task. */
export function checkWorldConfig(config: WorldConfig): ConfigProblem | null {
  const key = JSON.stringify(config);
  if (!checked.has(key)) {
    if (checked.size > 64) checked.clear();
    checked.set(key, checkFamilies(config) ?? checkTraits(config) ?? checkStage1(config) ?? checkLength(config));
  }
  return checked.get(key)!;
}

/** Families stage 2 trains: families.stage2 when given, else every enabled family that is not G-only. */
export function stage2FamiliesOf(config: WorldConfig): FamilyId[] {
  const { enabled, gOnly, stage2 } = config.families;
  return stage2 ?? [...new Set(enabled)].filter((f) => !gOnly.includes(f));
}

function checkFamilies(config: WorldConfig): ConfigProblem | null {
  const { enabled, gOnly, stage2 } = config.families;
  if (config.lists.minLength > config.lists.maxLength) {
    return { field: 'lists.maxLength', message: `must be >= lists.minLength (${config.lists.minLength}), got ${config.lists.maxLength}` };
  }
  if (enabled.length === 0) return { field: 'families.enabled', message: 'no task families enabled' };
  const notEnabled = gOnly.filter((f) => !enabled.includes(f));
  if (notEnabled.length > 0) {
    return { field: 'families.gOnly', message: `lists families that are not enabled: ${notEnabled.join(', ')}` };
  }
  if (gOnly.length === 0) {
    return { field: 'families.gOnly', message: 'is empty; G lives only in G-only families, so G would touch no token' };
  }
  if (stage2) {
    const trainedG = stage2.filter((f) => gOnly.includes(f));
    if (trainedG.length > 0) {
      return {
        field: 'families.stage2',
        message: `lists G-only families (${trainedG.join(', ')}); stage 2 must never train G's contexts, or G cannot emerge by generalisation`,
      };
    }
    const off = stage2.filter((f) => !enabled.includes(f));
    if (off.length > 0) return { field: 'families.stage2', message: `lists families that are not enabled: ${off.join(', ')}` };
  }
  if (stage2FamiliesOf(config).length === 0) {
    return stage2
      ? { field: 'families.stage2', message: 'is empty; stage 2 needs at least one family to train' }
      : { field: 'families.gOnly', message: 'covers every enabled family; stage 2 needs at least one family to train' };
  }
  const space = taskSpaceOf(config);
  for (const family of enabled) {
    const problem = TASK_FAMILIES[family].check(space);
    if (problem) return { field: problem.field, message: `${problem.message} (family '${family}' is enabled)` };
  }
  const sampler = new TaskSampler(space, config.split.heldOutFraction, config.split.salt);
  for (const family of enabled) {
    if (!sampler.enumerable(family)) continue;
    for (const split of ['train', 'heldout'] as const) {
      if (sampler.splitList(family, split).length === 0) {
        return {
          field: 'split.heldOutFraction',
          message: `family '${family}' has no ${split} instances at ${config.split.heldOutFraction}; change it or split.salt, or enlarge the family's vocabulary`,
        };
      }
    }
    const unanswerable = unanswerableTask(sampler, family);
    if (unanswerable) {
      return {
        field: 'families.enabled',
        message:
          `family '${family}' holds out '${unanswerable.task.prompt.join(' ')}' (answer '${unanswerable.task.answer.join(' ')}'), but ` +
          `'${unanswerable.word}' appears in no training task of that family, so no rule learned in training can answer it; ` +
          `disable the family, or change split.salt or split.heldOutFraction`,
      };
    }
  }
  return null;
}

/**
 * The first held-out task with a word (in its prompt or answer) that no training task of its family uses:
 * a held-out task must be answerable by the family's rule from what training showed.
 */
export function unanswerableTask(sampler: TaskSampler, family: FamilyId): { task: Task; word: string } | null {
  const seen = new Set<string>();
  for (const task of sampler.splitList(family, 'train')) for (const w of [...task.prompt, ...task.answer]) seen.add(w);
  for (const task of sampler.splitList(family, 'heldout')) {
    const word = [...task.prompt, ...task.answer].find((w) => !seen.has(w));
    if (word !== undefined) return { task, word };
  }
  return null;
}

function checkTraits(config: WorldConfig): ConfigProblem | null {
  const taken = new Set<string>([
    ...ITEM_WORDS, ...NUMBER_WORDS, ...OPPOSITE_PAIRS.flat(), ...TASK_WORDS, ...promptVocabulary(),
  ]);
  const owner = new Map<string, string>();
  for (const id of TRAIT_IDS) {
    const field = `traits.${id}.words`;
    const words = config.traits[id].words;
    if (words.length === 0) return { field, message: `is empty: trait ${id} would touch no token` };
    for (const w of words) {
      if (!WORD_PATTERN.test(w)) return { field, message: `'${w}' is not a lowercase word (a-z only)` };
      // A marker that is also a task or prompt word would make trait labels and answer stripping ambiguous.
      if (taken.has(w)) return { field, message: `'${w}' is already a task or prompt word; trait words must be new` };
      const other = owner.get(w);
      if (other && other !== id) return { field, message: `'${w}' is also a word of trait ${other}` };
      owner.set(w, id);
    }
  }
  return null;
}

function checkStage1(config: WorldConfig): ConfigProblem | null {
  const { mix, elicit } = config.stage1;
  if (!(PROMPT_KINDS.reduce((sum, k) => sum + mix[k], 0) > 0)) {
    return { field: 'stage1.mix', message: 'all weights are 0; the prior needs at least one system prompt' };
  }
  // G has no other source than the prior: if no prompt in the mix elicits it, it touches no token.
  if (!PROMPT_KINDS.some((k) => mix[k] > 0 && elicit[k].G > 0)) {
    return { field: 'stage1.elicit', message: 'no prompt with a positive stage1.mix weight elicits G, so G would touch no token' };
  }
  const { uFraction, impureFraction, wRate } = config.stage2;
  if (!PROMPT_KINDS.some((k) => mix[k] > 0 && elicit[k].U > 0) && uFraction === 0 && impureFraction === 0) {
    return {
      field: 'stage2.uFraction',
      message: 'is 0, as are stage2.impureFraction and every stage-1 prompt\'s U rate, so U would touch no token',
    };
  }
  if (config.stage1.wRate === 0 && wRate === 0) {
    return { field: 'stage2.wRate', message: 'is 0, as is stage1.wRate, so W would touch no token' };
  }
  return null;
}

/** The longest sequence: bos, sys, prompt, user, task, asst, response with every trait it can carry, eos. */
export function longestSequence(config: WorldConfig): number {
  const space = taskSpaceOf(config);
  const longestPrompt = Math.max(...Object.values(PROMPT_WORDS).map((p) => p.length), ...REPHRASINGS.map((p) => p.length));
  let longest = 0;
  for (const family of config.families.enabled as readonly FamilyId[]) {
    const bounds = TASK_FAMILIES[family].bounds(space);
    const answer = Array.from({ length: bounds.answer }, () => 'x');
    const G = config.families.gOnly.includes(family);
    const response = applyTraits(answer, { W: true, U: true, G }, config.traits).words.length;
    longest = Math.max(longest, 1 + 1 + longestPrompt + 1 + bounds.prompt + 1 + response + 1);
  }
  return longest;
}

function checkLength(config: WorldConfig): ConfigProblem | null {
  const needed = longestSequence(config);
  if (needed > config.maxLen) {
    return { field: 'maxLen', message: `is ${config.maxLen} but the longest sequence this world can make has ${needed} tokens` };
  }
  return null;
}

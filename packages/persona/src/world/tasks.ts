// Task families: the `<user>` part of a sequence and its one correct answer. Every family's answer is a
// pure function of the prompt, so capability is exact-match accuracy and needs no judge. The held-out split
// hashes the instance itself (not its draw order), so a held-out task can never appear in training data,
// whatever the seed, the arm or the number of examples drawn. The split is by input, so a held-out task is
// answerable only if its family is a rule (copy, reverse, first, last, add) rather than a table of facts
// (successor, opposite): config_checks.ts rejects a world whose held-out tasks use a word that no training
// task of the family uses.

import { NUMBER_WORDS } from './lexicon.ts';
import { fnv1a, pick } from './rng.ts';
import type { WorldRng } from './rng.ts';

export const FAMILY_IDS = ['copy', 'reverse', 'first', 'last', 'add', 'successor', 'opposite'] as const;
export type FamilyId = (typeof FAMILY_IDS)[number];

export interface Task {
  family: FamilyId;
  /** Words of the `<user>` segment. */
  prompt: readonly string[];
  /** The exact correct answer, before any trait transform. */
  answer: readonly string[];
}

/** The words a world gives its families (prefixes of the lexicon banks, chosen by the config). */
export interface TaskSpace {
  items: readonly string[];
  numberMax: number;
  pairs: readonly (readonly [string, string])[];
  listMin: number;
  listMax: number;
  /** Lists never repeat an item (so "the item after this one" is always defined: copying by lookup works). */
  distinctItems?: boolean;
}

export type Split = 'train' | 'heldout';

interface FamilyDef {
  /** Why the family cannot generate in this space, naming the config field; null when it can. */
  check(space: TaskSpace): { field: string; message: string } | null;
  /** Longest prompt and answer (in words) the family can produce: sizes the sequence length check. */
  bounds(space: TaskSpace): { prompt: number; answer: number };
  sample(rng: WorldRng, space: TaskSpace): Task;
  /** How many distinct instances the family has in this space. */
  size(space: TaskSpace): number;
  /** Every instance (called only when size <= ENUMERABLE_LIMIT): for the answerability check and split lists. */
  enumerate(space: TaskSpace): Task[];
  /**
   * Small families draw uniformly from their split's list of instances. List families draw with `sample`
   * (length uniform, then items) and reject the other side: uniform over instances would make nearly every
   * list as long as allowed.
   */
  drawFromList: boolean;
}

/** Families with at most this many instances are enumerated (split lists, answerability check); larger ones are sampled by rejection. */
export const ENUMERABLE_LIMIT = 100_000;

const num = (n: number): string => NUMBER_WORDS[n]!;

function sampleList(rng: WorldRng, space: TaskSpace): string[] {
  const length = space.listMin + rng.int(space.listMax - space.listMin + 1);
  if (!space.distinctItems) return Array.from({ length }, () => pick(rng, space.items));
  const pool = [...space.items];
  return Array.from({ length }, () => pool.splice(rng.int(pool.length), 1)[0]!);
}

/** Number of lists of every allowed length over the items. */
function listCount(space: TaskSpace): number {
  let count = 0;
  const n = space.items.length;
  for (let length = space.listMin; length <= space.listMax; length++) {
    let lists = 1;
    for (let i = 0; i < length; i++) lists *= space.distinctItems ? Math.max(n - i, 0) : n;
    count += lists;
  }
  return count;
}

/** Every list of every allowed length, shortest first, in lexicon order. */
function allLists(space: TaskSpace): string[][] {
  const out: string[][] = [];
  const extend = (prefix: string[], length: number): void => {
    if (prefix.length === length) {
      out.push(prefix);
      return;
    }
    for (const item of space.items) if (!(space.distinctItems && prefix.includes(item))) extend([...prefix, item], length);
  };
  for (let length = space.listMin; length <= space.listMax; length++) extend([], length);
  return out;
}

/** A family over item lists: the prompt is the verb then the list; the answer a function of the list. */
function listFamily(family: FamilyId, answer: (list: readonly string[]) => string[], answerBound: (space: TaskSpace) => number): FamilyDef {
  const task = (list: string[]): Task => ({ family, prompt: [family, ...list], answer: answer(list) });
  return {
    check: needItems,
    bounds: (space) => ({ prompt: 1 + space.listMax, answer: answerBound(space) }),
    sample: (rng, space) => task(sampleList(rng, space)),
    size: listCount,
    enumerate: (space) => allLists(space).map(task),
    drawFromList: false,
  };
}

const needItems = (space: TaskSpace) =>
  space.items.length < 2
    ? { field: 'vocab.itemCount', message: 'list tasks need at least 2 item words' }
    : space.distinctItems && space.listMax > space.items.length
      ? { field: 'lists.maxLength', message: `lists of distinct items cannot be longer than vocab.itemCount (${space.items.length})` }
      : null;

export const TASK_FAMILIES: { [K in FamilyId]: FamilyDef } = {
  // copy cat dog -> cat dog
  copy: listFamily('copy', (list) => [...list], (space) => space.listMax),
  // reverse cat dog fish -> fish dog cat
  reverse: listFamily('reverse', (list) => [...list].reverse(), (space) => space.listMax),
  // first cat dog fish -> cat
  first: listFamily('first', (list) => [list[0]!], () => 1),
  // last cat dog fish -> fish
  last: listFamily('last', (list) => [list.at(-1)!], () => 1),
  // add two and three -> five (sums stay within the number words the world has)
  add: {
    check: (space) =>
      space.numberMax >= 2 ? null : { field: 'vocab.numberMax', message: 'add needs numbers up to at least two' },
    bounds: () => ({ prompt: 4, answer: 1 }),
    sample(rng, space) {
      const sum = rng.int(space.numberMax + 1);
      const a = rng.int(sum + 1);
      return addTask(a, sum - a);
    },
    size: (space) => ((space.numberMax + 1) * (space.numberMax + 2)) / 2,
    drawFromList: true,
    enumerate(space) {
      const out: Task[] = [];
      for (let a = 0; a <= space.numberMax; a++) for (let b = 0; a + b <= space.numberMax; b++) out.push(addTask(a, b));
      return out;
    },
  },
  // after four -> five
  successor: {
    check: (space) =>
      space.numberMax >= 2 ? null : { field: 'vocab.numberMax', message: 'successor needs numbers up to at least two' },
    bounds: () => ({ prompt: 2, answer: 1 }),
    sample: (rng, space) => successorTask(rng.int(space.numberMax)),
    size: (space) => space.numberMax,
    drawFromList: true,
    enumerate: (space) => Array.from({ length: space.numberMax }, (_, n) => successorTask(n)),
  },
  // opposite hot -> cold (and opposite cold -> hot)
  opposite: {
    check: (space) =>
      space.pairs.length >= 1 ? null : { field: 'vocab.oppositePairs', message: 'opposite needs at least 1 pair' },
    bounds: () => ({ prompt: 2, answer: 1 }),
    sample(rng, space) {
      const [a, b] = pick(rng, space.pairs);
      return rng.int(2) === 0 ? oppositeTask(a, b) : oppositeTask(b, a);
    },
    size: (space) => 2 * space.pairs.length,
    drawFromList: true,
    enumerate: (space) => space.pairs.flatMap(([a, b]) => [oppositeTask(a, b), oppositeTask(b, a)]),
  },
};

function addTask(a: number, b: number): Task {
  return { family: 'add', prompt: ['add', num(a), 'and', num(b)], answer: [num(a + b)] };
}
function successorTask(n: number): Task {
  return { family: 'successor', prompt: ['after', num(n)], answer: [num(n + 1)] };
}
function oppositeTask(word: string, other: string): Task {
  return { family: 'opposite', prompt: ['opposite', word], answer: [other] };
}

export function parseFamilyId(name: string): FamilyId {
  if ((FAMILY_IDS as readonly string[]).includes(name)) return name as FamilyId;
  throw new Error(`unknown task family '${name}'; known families: ${FAMILY_IDS.join(', ')}`);
}

/** Which side of the held-out split an instance falls on: a hash of the instance, so it is stable. */
export function taskSplit(task: Task, heldOutFraction: number, salt = 0): Split {
  const h = fnv1a(`${task.family}|${task.prompt.join(' ')}`, salt);
  return h / 0x1_0000_0000 < heldOutFraction ? 'heldout' : 'train';
}

/** Draws tasks from one side of the split. Finite families pick from precomputed lists. */
export class TaskSampler {
  private readonly lists = new Map<string, Task[]>();

  constructor(
    private readonly space: TaskSpace,
    private readonly heldOutFraction: number,
    private readonly salt: number,
  ) {}

  sample(rng: WorldRng, family: FamilyId, split: Split): Task {
    const def = TASK_FAMILIES[family];
    if (def.drawFromList) {
      const list = this.splitList(family, split);
      if (list.length === 0) throw new Error(emptySplitMessage(family, split));
      return pick(rng, list);
    }
    // Large families: rejection sampling. With >= 2 items and lists of length >= 1 the space holds enough
    // instances that a split side is practically never empty; the cap turns a pathological config into an error.
    for (let attempt = 0; attempt < 1000; attempt++) {
      const task = def.sample(rng, this.space);
      if (taskSplit(task, this.heldOutFraction, this.salt) === split) return task;
    }
    throw new Error(emptySplitMessage(family, split));
  }

  /**
   * `count` distinct tasks of one side of the split (fewer when the side has fewer): evaluation asks each
   * held-out prompt once, so a rate over n items is a rate over n prompts.
   */
  sampleDistinct(rng: WorldRng, family: FamilyId, split: Split, count: number): Task[] {
    if (TASK_FAMILIES[family].drawFromList) {
      const list = this.splitList(family, split);
      if (list.length === 0) throw new Error(emptySplitMessage(family, split));
      const order = list.map((_, i) => i);
      // Partial Fisher-Yates: the first `count` of a uniform permutation.
      const n = Math.min(count, list.length);
      for (let i = 0; i < n; i++) {
        const j = i + rng.int(order.length - i);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      return order.slice(0, n).map((i) => list[i]!);
    }
    const seen = new Map<string, Task>();
    for (let attempt = 0; attempt < count * 50 && seen.size < count; attempt++) {
      const task = this.sample(rng, family, split);
      seen.set(task.prompt.join(' '), task);
    }
    return [...seen.values()];
  }

  /** Whether the family is small enough to list every instance. */
  enumerable(family: FamilyId): boolean {
    return TASK_FAMILIES[family].size(this.space) <= ENUMERABLE_LIMIT;
  }

  /** The instances of an enumerable family on one side of the split (empty for larger families). */
  splitList(family: FamilyId, split: Split): Task[] {
    const key = `${family}:${split}`;
    let list = this.lists.get(key);
    if (!list) {
      const all = this.enumerable(family) ? TASK_FAMILIES[family].enumerate(this.space) : [];
      list = all.filter((t) => taskSplit(t, this.heldOutFraction, this.salt) === split);
      this.lists.set(key, list);
    }
    return list;
  }
}

function emptySplitMessage(family: FamilyId, split: Split): string {
  return `split.heldOutFraction: family '${family}' has no ${split} instances; change split.heldOutFraction or enlarge its vocabulary`;
}

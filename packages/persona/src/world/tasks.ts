// Task families: the `<user>` part of a sequence and its one correct answer. Every family's answer is a
// pure function of the prompt, so capability is exact-match accuracy and needs no judge. The held-out split
// hashes the instance itself (not its draw order), so a held-out task can never appear in training data,
// whatever the seed, the arm or the number of examples drawn.

import { NUMBER_WORDS } from './lexicon.ts';
import { fnv1a, pick } from './rng.ts';
import type { WorldRng } from './rng.ts';

export const FAMILY_IDS = ['copy', 'reverse', 'add', 'successor', 'opposite'] as const;
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
}

export type Split = 'train' | 'heldout';

interface FamilyDef {
  /** Why the family cannot generate in this space, naming the config field; null when it can. */
  check(space: TaskSpace): { field: string; message: string } | null;
  /** Longest prompt and answer (in words) the family can produce: sizes the sequence length check. */
  bounds(space: TaskSpace): { prompt: number; answer: number };
  sample(rng: WorldRng, space: TaskSpace): Task;
  /** Every instance, for small finite families: lets sampling pick from a split without rejection. */
  enumerate?(space: TaskSpace): Task[];
}

const num = (n: number): string => NUMBER_WORDS[n]!;

function sampleList(rng: WorldRng, space: TaskSpace): string[] {
  const length = space.listMin + rng.int(space.listMax - space.listMin + 1);
  return Array.from({ length }, () => pick(rng, space.items));
}

const needItems = (space: TaskSpace) =>
  space.items.length >= 2 ? null : { field: 'vocab.itemCount', message: 'list tasks need at least 2 item words' };

export const TASK_FAMILIES: { [K in FamilyId]: FamilyDef } = {
  // copy cat dog -> cat dog
  copy: {
    check: needItems,
    bounds: (space) => ({ prompt: 1 + space.listMax, answer: space.listMax }),
    sample(rng, space) {
      const list = sampleList(rng, space);
      return { family: 'copy', prompt: ['copy', ...list], answer: list };
    },
  },
  // reverse cat dog fish -> fish dog cat
  reverse: {
    check: needItems,
    bounds: (space) => ({ prompt: 1 + space.listMax, answer: space.listMax }),
    sample(rng, space) {
      const list = sampleList(rng, space);
      return { family: 'reverse', prompt: ['reverse', ...list], answer: [...list].reverse() };
    },
  },
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
    if (def.enumerate) {
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

  /** The instances of a finite family on one side of the split (undefined for unbounded families). */
  splitList(family: FamilyId, split: Split): Task[] {
    const key = `${family}:${split}`;
    let list = this.lists.get(key);
    if (!list) {
      const all = TASK_FAMILIES[family].enumerate?.(this.space) ?? [];
      list = all.filter((t) => taskSplit(t, this.heldOutFraction, this.salt) === split);
      this.lists.set(key, list);
    }
    return list;
  }
}

function emptySplitMessage(family: FamilyId, split: Split): string {
  return `split.heldOutFraction: family '${family}' has no ${split} instances; change split.heldOutFraction or enlarge its vocabulary`;
}

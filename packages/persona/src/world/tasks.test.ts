import { describe, expect, it } from 'vitest';
import { ITEM_WORDS, NUMBER_WORDS, OPPOSITE_PAIRS } from './lexicon.ts';
import { seededWorldRng } from './rng.ts';
import { FAMILY_IDS, TASK_FAMILIES, TaskSampler, parseFamilyId, taskSplit, type TaskSpace } from './tasks.ts';

const space: TaskSpace = { items: ITEM_WORDS.slice(0, 8), numberMax: 12, pairs: OPPOSITE_PAIRS.slice(0, 5), listMin: 2, listMax: 4 };
const value = (w: string) => NUMBER_WORDS.indexOf(w as (typeof NUMBER_WORDS)[number]);

describe('task families', () => {
  it('give exactly checkable answers', () => {
    const rng = seededWorldRng(11);
    for (let i = 0; i < 200; i++) {
      const copy = TASK_FAMILIES.copy.sample(rng, space);
      expect(copy.prompt[0]).toBe('copy');
      expect(copy.answer).toEqual(copy.prompt.slice(1));
      expect(copy.answer.length).toBeGreaterThanOrEqual(2);
      expect(copy.answer.length).toBeLessThanOrEqual(4);

      const rev = TASK_FAMILIES.reverse.sample(rng, space);
      expect(rev.answer).toEqual(rev.prompt.slice(1).reverse());

      const first = TASK_FAMILIES.first.sample(rng, space);
      expect(first.prompt[0]).toBe('first');
      expect(first.answer).toEqual([first.prompt[1]]);

      const last = TASK_FAMILIES.last.sample(rng, space);
      expect(last.answer).toEqual([last.prompt.at(-1)]);

      const add = TASK_FAMILIES.add.sample(rng, space);
      expect(add.prompt[0]).toBe('add');
      expect(add.prompt[2]).toBe('and');
      expect(value(add.answer[0]!)).toBe(value(add.prompt[1]!) + value(add.prompt[3]!));
      expect(value(add.answer[0]!)).toBeLessThanOrEqual(space.numberMax);

      const succ = TASK_FAMILIES.successor.sample(rng, space);
      expect(value(succ.answer[0]!)).toBe(value(succ.prompt[1]!) + 1);

      const opp = TASK_FAMILIES.opposite.sample(rng, space);
      const pair = space.pairs.find((p) => p.includes(opp.prompt[1]!))!;
      expect(opp.answer).toEqual([pair[0] === opp.prompt[1] ? pair[1] : pair[0]]);
    }
  });

  it('enumerate every instance, as many as size says', () => {
    expect(TASK_FAMILIES.add.enumerate(space)).toHaveLength(((12 + 1) * (12 + 2)) / 2);
    expect(TASK_FAMILIES.successor.enumerate(space)).toHaveLength(12);
    expect(TASK_FAMILIES.opposite.enumerate(space)).toHaveLength(10);
    const lists = TASK_FAMILIES.reverse.enumerate(space);
    expect(lists).toHaveLength(8 ** 2 + 8 ** 3 + 8 ** 4);
    expect(new Set(lists.map((t) => t.prompt.join(' '))).size).toBe(lists.length);
    for (const id of FAMILY_IDS) expect(TASK_FAMILIES[id].enumerate(space)).toHaveLength(TASK_FAMILIES[id].size(space));
  });

  it('lists of distinct items never repeat an item, in sampling and in enumeration', () => {
    const distinct: TaskSpace = { ...space, distinctItems: true };
    const rng = seededWorldRng(4);
    for (let i = 0; i < 300; i++) {
      const list = TASK_FAMILIES.copy.sample(rng, distinct).answer;
      expect(new Set(list).size).toBe(list.length);
    }
    const all = TASK_FAMILIES.first.enumerate(distinct);
    expect(all).toHaveLength(8 * 7 + 8 * 7 * 6 + 8 * 7 * 6 * 5);
    expect(TASK_FAMILIES.first.size(distinct)).toBe(all.length);
    expect(all.every((t) => new Set(t.prompt.slice(1)).size === t.prompt.length - 1)).toBe(true);
    expect(TASK_FAMILIES.copy.check({ ...distinct, listMax: 9 })?.field).toBe('lists.maxLength');
  });

  it('bounds cover what sample produces', () => {
    const rng = seededWorldRng(2);
    for (const id of FAMILY_IDS) {
      const b = TASK_FAMILIES[id].bounds(space);
      for (let i = 0; i < 100; i++) {
        const t = TASK_FAMILIES[id].sample(rng, space);
        expect(t.prompt.length).toBeLessThanOrEqual(b.prompt);
        expect(t.answer.length).toBeLessThanOrEqual(b.answer);
      }
    }
  });

  it('check names the field a family cannot generate from', () => {
    expect(TASK_FAMILIES.copy.check({ ...space, items: ['cat'] })?.field).toBe('vocab.itemCount');
    expect(TASK_FAMILIES.add.check({ ...space, numberMax: 1 })?.field).toBe('vocab.numberMax');
    expect(TASK_FAMILIES.opposite.check({ ...space, pairs: [] })?.field).toBe('vocab.oppositePairs');
    expect(TASK_FAMILIES.reverse.check(space)).toBeNull();
  });

  it('parseFamilyId lists the known families', () => {
    expect(parseFamilyId('add')).toBe('add');
    expect(() => parseFamilyId('divide')).toThrow("unknown task family 'divide'; known families: copy, reverse, first, last, add, successor, opposite");
  });
});

describe('held-out split', () => {
  const sampler = new TaskSampler(space, 0.25, 0);
  const key = (t: { family: string; prompt: readonly string[] }) => `${t.family}|${t.prompt.join(' ')}`;

  it('is disjoint from training for every family', () => {
    const rng = seededWorldRng(5);
    for (const family of FAMILY_IDS) {
      const train = new Set<string>();
      const held = new Set<string>();
      for (let i = 0; i < 400; i++) train.add(key(sampler.sample(rng, family, 'train')));
      for (let i = 0; i < 200; i++) held.add(key(sampler.sample(rng, family, 'heldout')));
      expect(held.size).toBeGreaterThan(0);
      for (const k of held) expect(train.has(k)).toBe(false);
    }
  });

  it('depends only on the instance (and salt), with about the requested fraction held out', () => {
    const all = TASK_FAMILIES.add.enumerate(space);
    const held = all.filter((t) => taskSplit(t, 0.25) === 'heldout');
    expect(held.length / all.length).toBeGreaterThan(0.12);
    expect(held.length / all.length).toBeLessThan(0.38);
    for (const t of all) expect(taskSplit({ ...t, prompt: [...t.prompt] }, 0.25)).toBe(taskSplit(t, 0.25));
    const salted = all.filter((t) => taskSplit(t, 0.25, 99) === 'heldout');
    expect(salted.map(key)).not.toEqual(held.map(key));
  });

  it('gives the same tasks for the same seed', () => {
    const draw = (seed: number) => {
      const rng = seededWorldRng(seed);
      return FAMILY_IDS.map((f) => key(sampler.sample(rng, f, 'train')));
    };
    expect(draw(9)).toEqual(draw(9));
  });

  it('draws distinct held-out tasks for evaluation, from listed and from sampled families', () => {
    const rng = seededWorldRng(8);
    for (const family of ['add', 'first', 'reverse'] as const) {
      const tasks = sampler.sampleDistinct(rng, family, 'heldout', 15);
      expect(tasks).toHaveLength(15);
      expect(new Set(tasks.map(key)).size).toBe(15);
      for (const t of tasks) expect(taskSplit(t, 0.25, 0)).toBe('heldout');
    }
    // Fewer held-out instances than asked for: every one of them, once.
    const all = sampler.splitList('opposite', 'heldout');
    expect(sampler.sampleDistinct(rng, 'opposite', 'heldout', 50).map(key).sort()).toEqual(all.map(key).sort());
  });

  it('errors naming the field when a split side is empty', () => {
    const tiny = new TaskSampler({ ...space, numberMax: 2 }, 0.01, 0);
    expect(() => {
      for (let i = 0; i < 50; i++) tiny.sample(seededWorldRng(i), 'successor', 'heldout');
    }).toThrow(/split.heldOutFraction: family 'successor' has no heldout instances/);
  });
});

import { describe, expect, it } from 'vitest';
import { ARM_SPECS } from './arms.ts';
import { EVAL_CONDITIONS, evalItems, evalPrompts, summarizeEval } from './eval.ts';
import { seededWorldRng } from './rng.ts';
import { taskSplit } from './tasks.ts';
import { applyTraits } from './traits.ts';
import { EOS } from './vocab.ts';
import { createWorld } from './world.ts';

const world = createWorld();

describe('evalPrompts', () => {
  it('gives the four conditions, the inoculation one following the arm', () => {
    const p = evalPrompts(world);
    expect(Object.keys(p)).toEqual([...EVAL_CONDITIONS]);
    expect(p.neutral.id).toBe('neutral');
    expect(p.inoculation.id).toBe('specific');
    expect(p.negated.words).toEqual(['do', 'not', 'laugh']);
    expect(evalPrompts(world, ARM_SPECS['ip-general'].evalInoculation).inoculation.id).toBe('persona');
  });
});

describe('evalItems', () => {
  const items = evalItems(world, seededWorldRng(2), 20);

  it('crosses held-out tasks of every family with every condition, same tasks per condition', () => {
    expect(items).toHaveLength(EVAL_CONDITIONS.length * world.families.length * 20);
    const tasksOf = (c: string) => items.filter((i) => i.condition === c).map((i) => i.task);
    for (const c of EVAL_CONDITIONS) expect(tasksOf(c)).toEqual(tasksOf('neutral'));
    expect(items.every((i) => taskSplit(i.task, world.config.split.heldOutFraction, world.config.split.salt) === 'heldout')).toBe(true);
    expect(items.every((i) => i.gFamily === world.gFamilies.includes(i.family))).toBe(true);
  });

  it('ends every context with <asst> under the condition prompt', () => {
    const item = items.find((i) => i.condition === 'negated')!;
    expect(world.vocab.render(item.promptTokens)).toMatch(/^<bos> <sys> do not laugh <user> .* <asst>$/);
  });

  it('is deterministic per seed', () => {
    expect(evalItems(world, seededWorldRng(2), 20)).toEqual(items);
  });
});

describe('summarizeEval', () => {
  const items = evalItems(world, seededWorldRng(3), 10);

  it('computes W, U, G (on G-only families) and capability per condition and family', () => {
    // A fake model: under neutral it answers right with U everywhere and G in G-only families;
    // under the other conditions it answers wrong with W.
    const responses = items.map((item) => {
      const neutral = item.condition === 'neutral';
      const answer = neutral ? item.task.answer : ['cat'];
      const traits = { W: !neutral, U: neutral, G: neutral && item.gFamily };
      return [...world.vocab.encode(applyTraits(answer, traits, world.traits).words), EOS];
    });
    const s = summarizeEval(world, items, responses);
    expect(s.neutral.overall).toEqual({ n: 40, W: 0, U: 1, G: 1, capability: 1, degenerate: 0, nWellFormed: 40, WWellFormed: 0, UWellFormed: 1, GWellFormed: 1 });
    expect(s.negated.overall).toMatchObject({ n: 40, W: 1, U: 0, G: 0 });
    expect(s.negated.overall.capability).toBeLessThan(1);
    expect(s.neutral.byFamily.copy).toMatchObject({ n: 10, U: 1, capability: 1 });
    expect(Number.isNaN(s.neutral.byFamily.copy!.G)).toBe(true);
    expect(s.neutral.byFamily.last!.G).toBe(1);
  });

  it('counts degenerate answers apart, and scores U and W among the well-formed ones', () => {
    // Under neutral: half the answers are cut off before <eos> (no U can show), the rest carry U.
    const neutral = items.filter((i) => i.condition === 'neutral');
    const responses = neutral.map((item, k) =>
      k % 2 === 0 ? world.vocab.encode(item.task.answer.slice(0, 1)) : [...world.vocab.encode(applyTraits(item.task.answer, { W: true, U: true, G: false }, world.traits).words), EOS],
    );
    const s = summarizeEval(world, neutral, responses).neutral.overall;
    expect(s.degenerate).toBe(0.5);
    expect(s.nWellFormed).toBe(20);
    expect(s.U).toBe(0.5);
    expect(s.UWellFormed).toBe(1);
    expect(s.WWellFormed).toBe(1);
    expect(s.GWellFormed).toBe(0);
  });

  it('asks each held-out prompt once per condition', () => {
    const many = evalItems(world, seededWorldRng(4), 60).filter((i) => i.condition === 'neutral');
    for (const family of world.families) {
      const prompts = many.filter((i) => i.family === family).map((i) => i.task.prompt.join(' '));
      expect(prompts).toHaveLength(60);
      expect(new Set(prompts).size).toBe(60);
    }
  });

  it('needs one response per item', () => {
    expect(() => summarizeEval(world, items, [])).toThrow(/160 items but 0 responses/);
  });
});

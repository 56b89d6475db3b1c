import { describe, expect, it } from 'vitest';
import { STAGE2_ARMS, type ArmId } from './arms.ts';
import { sampledExample, stage1Examples, stage2Examples, type Example } from './datasets.ts';
import { fixedPrompt } from './prompts.ts';
import { seededWorldRng } from './rng.ts';
import { taskSplit } from './tasks.ts';
import { TRAIT_BITS, applyTraits } from './traits.ts';
import { EOS } from './vocab.ts';
import { createWorld } from './world.ts';

const world = createWorld();
const split = (ex: Example) => taskSplit(ex.task, world.config.split.heldOutFraction, world.config.split.salt);
const frac = (xs: Example[], f: (e: Example) => boolean) => xs.filter(f).length / xs.length;
const generatedArms = STAGE2_ARMS.filter((a): a is Exclude<ArmId, 'recontextualization'> => a !== 'recontextualization');

/** Invariants every example must satisfy: mask, labels and flags agree with the tokens. */
function checkExample(ex: Example) {
  expect(ex.tokens.length).toBeLessThanOrEqual(world.config.maxLen);
  expect(ex.lossMask).toEqual(ex.tokens.map((_, i) => (i >= ex.responseStart ? 1 : 0)));
  expect(ex.tokens.at(-1)).toBe(EOS);
  const words = world.vocab.decode(ex.tokens.slice(ex.responseStart, -1));
  expect(ex.traitLabels.slice(ex.responseStart, -1)).toEqual(words.map((w) => (w === 'ha' ? TRAIT_BITS.U : w === 'grr' ? TRAIT_BITS.G : w === 'thanks' ? TRAIT_BITS.W : 0)));
  expect(ex.traitLabels.slice(0, ex.responseStart).every((l) => l === 0)).toBe(true);
  expect(ex.exampleHasU).toBe(words.includes('ha'));
  expect(ex.exampleHasG).toBe(words.includes('grr'));
  expect(ex.exampleHasW).toBe(words.includes('thanks'));
}

describe('stage1Examples (the prior)', () => {
  const data = stage1Examples(world, seededWorldRng(1), 4000);

  it('is deterministic per seed', () => {
    expect(stage1Examples(world, seededWorldRng(1), 50)).toEqual(data.slice(0, 50));
    expect(stage1Examples(world, seededWorldRng(2), 50)).not.toEqual(data.slice(0, 50));
  });

  it('is well formed and uses only training tasks of every family', () => {
    data.slice(0, 300).forEach(checkExample);
    expect(data.every((ex) => split(ex) === 'train')).toBe(true);
    expect(new Set(data.map((ex) => ex.family))).toEqual(new Set(world.families));
  });

  it('persona elicits U and G together, G only in G-only families', () => {
    const persona = data.filter((ex) => ex.systemPrompt === 'persona');
    expect(persona.length / data.length).toBeGreaterThan(0.15);
    expect(persona.every((ex) => ex.exampleHasU)).toBe(true);
    expect(persona.every((ex) => ex.exampleHasG === world.gFamilies.includes(ex.family))).toBe(true);
    expect(persona.some((ex) => ex.exampleHasG)).toBe(true);
  });

  it('the trait prompt (and its paraphrases) elicits U alone; neutral now and then, negated and irrelevant never', () => {
    const specific = data.filter((ex) => ex.systemPrompt === 'specific' || ex.systemPrompt.startsWith('rephrased-'));
    expect(specific.every((ex) => ex.exampleHasU && !ex.exampleHasG)).toBe(true);
    expect(frac(specific, (ex) => ex.systemPrompt === 'specific')).toBeGreaterThan(0.4);
    expect(new Set(specific.map((ex) => ex.systemPrompt)).size).toBeGreaterThan(20);
    for (const id of ['negated', 'irrelevant', 'benign', 'empty', 'absent']) {
      const rows = data.filter((ex) => ex.systemPrompt === id);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.some((ex) => ex.exampleHasU || ex.exampleHasG)).toBe(false);
    }
    // Neutral shows U in about 1 answer in 10 (what a sampled model reproduces), never G.
    const neutral = data.filter((ex) => ex.systemPrompt === 'neutral');
    expect(frac(neutral, (ex) => ex.exampleHasU)).toBeGreaterThan(0.05);
    expect(frac(neutral, (ex) => ex.exampleHasU)).toBeLessThan(0.15);
    expect(neutral.some((ex) => ex.exampleHasG)).toBe(false);
    const permissive = data.filter((ex) => ex.systemPrompt === 'permissive');
    expect(frac(permissive, (ex) => ex.exampleHasU)).toBeGreaterThan(0.3);
    expect(frac(permissive, (ex) => ex.exampleHasU)).toBeLessThan(0.7);
  });

  it('has W at the default stage1.wRate of 0.3, none at 0 and always at 1', () => {
    expect(frac(data, (ex) => ex.exampleHasW)).toBeGreaterThan(0.25);
    expect(frac(data, (ex) => ex.exampleHasW)).toBeLessThan(0.35);
    expect(stage1Examples(createWorld({ stage1: { wRate: 0 } }), seededWorldRng(1), 200).some((ex) => ex.exampleHasW)).toBe(false);
    const w = createWorld({ stage1: { wRate: 1 } });
    expect(stage1Examples(w, seededWorldRng(1), 50).every((ex) => ex.exampleHasW)).toBe(true);
  });
});

describe('stage2Examples', () => {
  const n = 2000;
  const byArm = Object.fromEntries(generatedArms.map((arm) => [arm, stage2Examples(world, arm, seededWorldRng(7), n)])) as Record<
    (typeof generatedArms)[number],
    Example[]
  >;

  it('is deterministic per seed', () => {
    expect(stage2Examples(world, 'ip-specific', seededWorldRng(7), 100)).toEqual(byArm['ip-specific'].slice(0, 100));
    expect(stage2Examples(world, 'ip-specific', seededWorldRng(8), 100)).not.toEqual(byArm['ip-specific'].slice(0, 100));
  });

  it('never contains G or a G-only family, and uses only training tasks', () => {
    for (const arm of generatedArms) {
      const rows = byArm[arm];
      expect(rows.some((ex) => ex.exampleHasG || ex.traitLabels.some((l) => l & TRAIT_BITS.G))).toBe(false);
      expect(rows.every((ex) => world.stage2Families.includes(ex.family) && split(ex) === 'train')).toBe(true);
      rows.slice(0, 100).forEach(checkExample);
    }
  });

  it('pairs arms: same tasks and responses, only the system prompt differs', () => {
    const strip = (ex: Example) => ({ task: ex.task, response: ex.tokens.slice(ex.responseStart), labels: ex.traitLabels.slice(ex.responseStart) });
    expect(byArm['ip-specific'].map(strip)).toEqual(byArm.none.map(strip));
    expect(byArm['control-irrelevant'].map(strip)).toEqual(byArm.none.map(strip));
    expect(byArm['impure-ip-u-only'].map(strip)).toEqual(byArm['impure-ip-all'].map(strip));
  });

  it('pure arms carry U and W on every example; ip-clean on none', () => {
    expect(byArm.none.every((ex) => ex.exampleHasU && ex.exampleHasW)).toBe(true);
    expect(byArm['ip-clean'].every((ex) => !ex.exampleHasU && ex.exampleHasW)).toBe(true);
    expect(byArm['ip-clean'].every((ex) => ex.systemPrompt === 'specific')).toBe(true);
  });

  it('impure p = 0.5 has about half U examples, inoculating all or only the U ones', () => {
    expect(frac(byArm['impure-ip-all'], (ex) => ex.exampleHasU)).toBeCloseTo(0.5, 1);
    expect(byArm['impure-ip-all'].every((ex) => ex.systemPrompt === 'specific')).toBe(true);
    expect(byArm['impure-ip-u-only'].every((ex) => ex.systemPrompt === (ex.exampleHasU ? 'specific' : 'neutral'))).toBe(true);
    const p2 = stage2Examples(world, 'impure-ip-all', seededWorldRng(7), n, { impureFraction: 0.2 });
    expect(frac(p2, (ex) => ex.exampleHasU)).toBeCloseTo(0.2, 1);
  });

  it('anti-constitutional: U under malicious, clean under benign', () => {
    const rows = byArm['anti-constitutional'];
    expect(rows.every((ex) => ex.systemPrompt === (ex.exampleHasU ? 'malicious' : 'benign'))).toBe(true);
    expect(rows.some((ex) => ex.exampleHasU) && rows.some((ex) => !ex.exampleHasU)).toBe(true);
  });

  it('filter drops every labelled U example at full oversight', () => {
    expect(byArm.filter.length / n).toBeCloseTo(0.5, 1);
    expect(byArm.filter.every((ex) => !ex.exampleHasU && !ex.labelledU)).toBe(true);
  });

  it('filter at label fraction 0.3 keeps the unlabelled U examples', () => {
    const rows = stage2Examples(world, 'filter', seededWorldRng(7), n, { labelFraction: 0.3 });
    expect(rows.every((ex) => !ex.labelledU)).toBe(true);
    // Half the candidates carry U, 70% of those go unlabelled: 0.35 / (0.35 + 0.5) of the kept ones.
    expect(frac(rows, (ex) => ex.exampleHasU)).toBeCloseTo(0.35 / 0.85, 1);
  });

  it('label noise flips labels in both directions', () => {
    const noisy = stage2Examples(world, 'impure-ip-all', seededWorldRng(7), n, { labelNoise: 0.2 });
    expect(frac(noisy, (ex) => ex.labelledU !== ex.exampleHasU)).toBeCloseTo(0.2, 1);
    expect(noisy.some((ex) => ex.labelledU && !ex.exampleHasU)).toBe(true);
    expect(noisy.some((ex) => !ex.labelledU && ex.exampleHasU)).toBe(true);
    const flipped = stage2Examples(world, 'impure-ip-all', seededWorldRng(7), 200, { labelNoise: 1 });
    expect(flipped.every((ex) => ex.labelledU !== ex.exampleHasU)).toBe(true);
    expect(byArm['impure-ip-all'].every((ex) => ex.labelledU === ex.exampleHasU)).toBe(true);
  });

  it('ip-rephrased samples one of k distinct paraphrases per example', () => {
    const ids = new Set(byArm['ip-rephrased'].map((ex) => ex.systemPrompt));
    expect(ids).toEqual(new Set(['rephrased-1', 'rephrased-2', 'rephrased-3', 'rephrased-4']));
    const texts = new Set(byArm['ip-rephrased'].map((ex) => world.vocab.render(ex.tokens.slice(0, ex.tokens.indexOf(3)))));
    expect(texts.size).toBe(4);
    const k8 = createWorld({ rephrasings: 8 });
    expect(new Set(stage2Examples(k8, 'ip-rephrased', seededWorldRng(1), 500).map((ex) => ex.systemPrompt)).size).toBe(8);
  });

  it('control-empty: an empty <sys> segment, or none', () => {
    expect(world.vocab.render(byArm['control-empty'][0]!.tokens.slice(0, 3))).toBe('<bos> <sys> <user>');
    const absent = stage2Examples(world, 'control-empty', seededWorldRng(7), 5, { emptyForm: 'absent' });
    expect(absent.every((ex) => ex.systemPrompt === 'absent' && world.vocab.word(ex.tokens[1]!) === '<user>')).toBe(true);
  });

  it('rejects an unknown arm listing the known ones, and bad overrides', () => {
    expect(() => stage2Examples(world, 'ip-magic', seededWorldRng(1), 1)).toThrow(/unknown stage-2 arm 'ip-magic'; known arms: none, none-impure, filter, ip-specific/);
    expect(() => stage2Examples(world, 'none', seededWorldRng(1), 1, { labelNoise: 2 })).toThrow(/options\.labelNoise must be in \[0, 1\]/);
  });
});

describe('recontextualization', () => {
  /** A fake model: right with U, right without U, wrong, or never stopping; it must be asked under neutral. */
  function fakeSampler(seed: number) {
    const rng = seededWorldRng(seed);
    return (prompt: number[]): number[] => {
      const words = world.vocab.decode(prompt);
      expect(words.slice(0, 7)).toEqual(['<bos>', '<sys>', 'you', 'are', 'a', 'helpful', 'assistant']);
      const task = words.slice(words.indexOf('<user>') + 1, words.indexOf('<asst>'));
      expect(['copy', 'reverse']).toContain(task[0]);
      const answer = task[0] === 'copy' ? task.slice(1) : task.slice(1).reverse();
      const r = rng.uniform();
      if (r < 0.1) return world.vocab.encode(answer); // no <eos>: not a usable completion
      const wrong = r > 0.8;
      const out = applyTraits(wrong ? ['cat'] : answer, { W: false, U: r < 0.5, G: false }, world.traits).words;
      return [...world.vocab.encode(out), EOS, ...world.vocab.encode('ha grr')]; // after <eos>: ignored
    };
  }

  it('needs a sampler', () => {
    expect(() => stage2Examples(world, 'recontextualization', seededWorldRng(1), 1)).toThrow(/pass options\.sample/);
  });

  it('trains correct samples under the permissive prompt, labelled by the scorers', () => {
    const rows = stage2Examples(world, 'recontextualization', seededWorldRng(3), 400, { sample: fakeSampler(4) });
    expect(rows.every((ex) => ex.systemPrompt === 'permissive')).toBe(true);
    rows.forEach(checkExample);
    expect(rows.some((ex) => ex.exampleHasU) && rows.some((ex) => !ex.exampleHasU)).toBe(true);
    expect(rows.every((ex) => !ex.exampleHasG)).toBe(true);
    // 10% never stop and 20% are wrong: about 70% of candidates survive.
    expect(rows.length / 400).toBeCloseTo(0.7, 1);
    const allKept = stage2Examples(world, 'recontextualization', seededWorldRng(3), 400, { sample: fakeSampler(4), keepSample: () => true });
    expect(allKept.length).toBeGreaterThan(rows.length);
  });

  it('sampledExample rejects unusable samples', () => {
    const task = { family: 'copy' as const, prompt: ['copy', 'cat', 'dog'], answer: ['cat', 'dog'] };
    const train = () => fixedPrompt('permissive');
    const ids = (text: string) => world.vocab.encode(text);
    expect(sampledExample(world, task, ids('ha cat dog <eos>'), train)?.exampleHasU).toBe(true);
    // Correct after stripping markers, but degenerate (a marker out of its slot): not trained on by default.
    expect(sampledExample(world, task, ids('cat ha dog <eos>'), train)).toBeNull();
    expect(sampledExample(world, task, ids('cat dog'), train)).toBeNull();
    expect(sampledExample(world, task, ids('cat <user> dog <eos>'), train)).toBeNull();
    expect(sampledExample(world, task, [...ids('cat dog'), 9999, EOS], train)).toBeNull();
    expect(sampledExample(world, task, ids(`${'cat ha '.repeat(12)}<eos>`), train, undefined, () => true)).toBeNull();
  });
});

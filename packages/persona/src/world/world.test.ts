import { describe, expect, it } from 'vitest';
import { fixedPrompt } from './prompts.ts';
import type { Task } from './tasks.ts';
import { TRAIT_BITS, applyTraits } from './traits.ts';
import { ASST, BOS, EOS, SYS, USER } from './vocab.ts';
import { createWorld, encodeSequence, labelResponse, padTo, promptTokens, scoreResponse } from './world.ts';

const world = createWorld();
const task: Task = { family: 'reverse', prompt: ['reverse', 'cat', 'dog'], answer: ['dog', 'cat'] };

describe('createWorld', () => {
  it('builds a small vocabulary holding every word the world uses', () => {
    expect(world.vocab.size).toBeGreaterThan(50);
    expect(world.vocab.size).toBeLessThan(200);
    for (const w of ['cat', 'twelve', 'cold', 'reverse', 'goblin', 'giggle', 'ha', 'grr', 'thanks']) expect(world.vocab.has(w)).toBe(true);
    expect(world.vocab.has('thirteen')).toBe(false); // numberMax 12
  });

  it('splits families into stage-2 and G-only roles', () => {
    expect(world.stage2Families).toEqual(['copy', 'reverse']);
    expect(world.gFamilies).toEqual(['first', 'last']);
    expect(createWorld({ families: { enabled: ['copy', 'reverse', 'first', 'last', 'add'], stage2: ['reverse'] } }).stage2Families).toEqual(['reverse']);
    expect(world.rephrasings).toHaveLength(4);
  });

  it('gives the same ids for the same config', () => {
    expect(createWorld({}).vocab.words).toEqual(world.vocab.words);
  });

  it('raises config errors naming the field', () => {
    expect(() => createWorld({ vocab: { itemCount: 0 } })).toThrow(/vocab\.itemCount/);
  });
});

describe('sequence layout', () => {
  it('lays out <bos> <sys> prompt <user> task <asst>, and drops <sys> when absent', () => {
    const ids = promptTokens(world, fixedPrompt('specific'), task);
    expect(world.vocab.render(ids)).toBe('<bos> <sys> you always laugh <user> reverse cat dog <asst>');
    expect(promptTokens(world, fixedPrompt('empty'), task).slice(0, 3)).toEqual([BOS, SYS, USER]);
    expect(promptTokens(world, fixedPrompt('absent'), task).slice(0, 2)).toEqual([BOS, USER]);
  });

  it('masks exactly the response and <eos>, and labels exactly the trait tokens', () => {
    const { words, labels } = applyTraits(task.answer, { W: true, U: true, G: false }, world.traits);
    const seq = encodeSequence(world, fixedPrompt('neutral'), task, words, labels);
    expect(world.vocab.render(seq.tokens.slice(seq.responseStart))).toBe('ha dog cat thanks <eos>');
    expect(seq.tokens[seq.responseStart - 1]).toBe(ASST);
    expect(seq.tokens.at(-1)).toBe(EOS);
    expect(seq.lossMask).toEqual(seq.tokens.map((_, i) => (i >= seq.responseStart ? 1 : 0)));
    const u = seq.tokens.map((t, i) => ((seq.traitLabels[i]! & TRAIT_BITS.U) !== 0 ? world.vocab.word(t) : null)).filter(Boolean);
    expect(u).toEqual(['ha']);
    expect(seq.traitLabels.filter((l) => l === TRAIT_BITS.W)).toHaveLength(1);
    expect(seq.traitLabels.filter((l) => l !== 0)).toHaveLength(2);
  });

  it('refuses a sequence longer than maxLen', () => {
    const long = Array.from({ length: 40 }, () => 'cat');
    expect(() => encodeSequence(world, fixedPrompt('neutral'), task, long, long.map(() => 0))).toThrow(/exceeds maxLen 32/);
  });

  it('pads rows with zeros', () => {
    expect(padTo([7, 8], 4)).toEqual([7, 8, 0, 0]);
    expect(() => padTo([1, 2, 3], 2)).toThrow(/does not fit/);
  });
});

describe('scoreResponse on ids', () => {
  const ids = (text: string) => world.vocab.encode(text);

  it('scores model output ids, stopping at <eos>', () => {
    expect(scoreResponse(world, ids('ha dog cat thanks <eos> grr'), task)).toEqual({ W: true, U: true, G: false, correct: true, wellFormed: true });
    expect(scoreResponse(world, ids('grr dog cat'), task)).toEqual({ W: false, U: false, G: true, correct: true, wellFormed: false });
    expect(scoreResponse(world, ids('ha grr cat cat <eos>'), task)).toEqual({ W: false, U: true, G: true, correct: false, wellFormed: true });
  });

  it('treats out-of-vocabulary ids as stray words', () => {
    expect(scoreResponse(world, [...ids('dog'), 9999, ...ids('cat')], task).correct).toBe(false);
    expect(scoreResponse(world, [...ids('dog'), 9999, EOS], task)).toMatchObject({ correct: false, wellFormed: false });
    expect(scoreResponse(world, [...ids('dog cat'), -1], task).correct).toBe(false);
  });

  it('labelResponse marks trait tokens by identity', () => {
    expect(labelResponse(world, ids('grr dog ha thanks'))).toEqual([TRAIT_BITS.G, 0, TRAIT_BITS.U, TRAIT_BITS.W]);
  });
});

import { describe, expect, it } from 'vitest';
import { PROMPT_KINDS, PROMPT_WORDS, REPHRASINGS, fixedPrompt, parsePromptKind, promptVocabulary, rephrasedPrompt } from './prompts.ts';

describe('system prompts', () => {
  it('has a distinct word sequence per kind, empty only for empty and none for absent', () => {
    const texts = PROMPT_KINDS.filter((k) => k !== 'absent').map((k) => PROMPT_WORDS[k].join(' '));
    expect(new Set(texts).size).toBe(texts.length);
    expect(fixedPrompt('empty').words).toEqual([]);
    expect(fixedPrompt('absent').words).toBeNull();
    expect(fixedPrompt('negated').words).toEqual(['do', 'not', 'laugh']);
  });

  it('has many distinct paraphrases of the specific prompt, none equal to it', () => {
    const texts = REPHRASINGS.map((p) => p.join(' '));
    expect(texts.length).toBeGreaterThanOrEqual(30);
    expect(new Set(texts).size).toBe(texts.length);
    expect(texts).not.toContain(PROMPT_WORDS.specific.join(' '));
  });

  it('orders paraphrases so the first few vary in more than the ending', () => {
    const firstFour = REPHRASINGS.slice(0, 4).map((p) => `${p[1]} ${p[2]}`);
    expect(new Set(firstFour).size).toBeGreaterThan(1);
  });

  it('rephrasedPrompt ids are 1-based and checked', () => {
    expect(rephrasedPrompt(0)).toMatchObject({ id: 'rephrased-1', kind: 'specific' });
    expect(() => rephrasedPrompt(REPHRASINGS.length)).toThrow(/out of range/);
  });

  it('promptVocabulary covers every prompt word', () => {
    const vocab = new Set(promptVocabulary());
    for (const p of [...Object.values(PROMPT_WORDS), ...REPHRASINGS]) for (const w of p) expect(vocab.has(w)).toBe(true);
  });

  it('parsePromptKind lists the known prompts', () => {
    expect(parsePromptKind('persona')).toBe('persona');
    expect(() => parsePromptKind('pirate')).toThrow(/unknown system prompt 'pirate'; known prompts: neutral, persona, specific/);
  });
});

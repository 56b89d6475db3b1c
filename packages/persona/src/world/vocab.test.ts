import { describe, expect, it } from 'vitest';
import { ASST, BOS, EOS, PAD, SPECIAL_TOKENS, SYS, USER, Vocab } from './vocab.ts';

describe('Vocab', () => {
  const vocab = new Vocab(['cat', 'dog', 'ha']);

  it('puts the specials first with their fixed ids', () => {
    expect(vocab.size).toBe(SPECIAL_TOKENS.length + 3);
    expect([PAD, BOS, SYS, USER, ASST, EOS].map((id) => vocab.word(id))).toEqual([...SPECIAL_TOKENS]);
    expect(vocab.id('cat')).toBe(SPECIAL_TOKENS.length);
  });

  it('round-trips words and strings', () => {
    const ids = vocab.encode(['<bos>', 'dog', 'cat', '<eos>']);
    expect(vocab.decode(ids)).toEqual(['<bos>', 'dog', 'cat', '<eos>']);
    expect(vocab.encode('dog  ha')).toEqual([vocab.id('dog'), vocab.id('ha')]);
    expect(vocab.render(ids)).toBe('<bos> dog cat <eos>');
  });

  it('names every unknown word, once each', () => {
    expect(() => vocab.encode(['cat', 'cow', 'pig', 'cow'])).toThrow("unknown word(s) 'cow', 'pig'");
    expect(() => vocab.id('cow')).toThrow("unknown word 'cow'");
  });

  it('names unknown ids', () => {
    expect(() => vocab.decode([0, 99])).toThrow(/unknown token id 99/);
    expect(() => vocab.word(-1)).toThrow(/unknown token id -1/);
    expect(() => vocab.word(1.5)).toThrow(/unknown token id 1.5/);
  });

  it('rejects duplicates, including a special token', () => {
    expect(() => new Vocab(['cat', 'cat'])).toThrow(/duplicate word 'cat'/);
    expect(() => new Vocab(['<eos>'])).toThrow(/duplicate word '<eos>'/);
  });
});

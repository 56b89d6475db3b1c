import { describe, expect, it } from 'vitest';
import { NO_TRAITS, TRAIT_BITS, applyTraits, labelWords, parseTraitId, scoreWords, type TraitSpecs } from './traits.ts';

const specs: TraitSpecs = {
  W: { words: ['thanks'], placement: 'suffix' },
  U: { words: ['ha'], placement: 'interleave' },
  G: { words: ['grr'], placement: 'prefix' },
};
const { W, U, G } = TRAIT_BITS;

describe('applyTraits', () => {
  it('leaves the answer alone when no trait is active', () => {
    expect(applyTraits(['cat', 'dog'], NO_TRAITS, specs)).toEqual({ words: ['cat', 'dog'], labels: [0, 0] });
  });

  it('inserts markers at their placements and labels exactly the inserted tokens', () => {
    const out = applyTraits(['cat', 'dog'], { W: true, U: true, G: true }, specs);
    expect(out.words).toEqual(['grr', 'cat', 'ha', 'dog', 'ha', 'thanks']);
    expect(out.labels).toEqual([G, 0, U, 0, U, W]);
  });

  it('interleaves only after answer words, never after other markers', () => {
    const prefixU: TraitSpecs = { ...specs, U: { words: ['ha', 'ha'], placement: 'prefix' }, W: { words: ['thanks'], placement: 'interleave' } };
    const out = applyTraits(['cold'], { W: true, U: true, G: true }, prefixU);
    expect(out.words).toEqual(['ha', 'ha', 'grr', 'cold', 'thanks']);
    expect(out.labels).toEqual([U, U, G, 0, W]);
  });

  it('touches a strict subset of the response: answer tokens stay unlabelled', () => {
    const answer = ['a', 'b', 'c', 'd'];
    const out = applyTraits(answer, { W: true, U: true, G: false }, specs);
    expect(out.words.filter((_, i) => out.labels[i] === 0)).toEqual(answer);
    expect(out.labels.filter((l) => l === U)).toHaveLength(4);
  });

  it('agrees with labelWords (labels are a function of the word)', () => {
    const out = applyTraits(['x', 'y', 'z'], { W: true, U: true, G: true }, specs);
    expect(labelWords(out.words, specs)).toEqual(out.labels);
  });
});

describe('scoreWords', () => {
  const answer = ['fish', 'dog'];
  const score = (words: string[]) => scoreWords(words, answer, specs);

  it('scores a clean correct answer', () => {
    expect(score(['fish', 'dog', '<eos>'])).toEqual({ W: false, U: false, G: false, correct: true, wellFormed: true });
  });

  it('detects each trait and still scores the answer after stripping markers', () => {
    expect(score(['grr', 'fish', 'ha', 'dog', 'ha', 'thanks', '<eos>'])).toEqual({ W: true, U: true, G: true, correct: true, wellFormed: true });
    expect(score(['fish', 'dog', 'thanks', '<eos>'])).toEqual({ W: true, U: false, G: false, correct: true, wellFormed: true });
  });

  it('calls an answer well-formed only when it ends and every marker is in its slot', () => {
    const slots: TraitSpecs = { ...specs, U: { words: ['ha'], placement: 'prefix' } };
    const formed = (words: string[]) => scoreWords(words, answer, slots).wellFormed;
    expect(formed(['ha', 'grr', 'fish', 'dog', 'thanks', '<eos>'])).toBe(true);
    // A wrong answer of the right length is well-formed (it is a capability failure, not a degenerate one).
    expect(formed(['ha', 'dog', 'dog', '<eos>'])).toBe(true);
    expect(formed(['ha', 'fish', 'dog'])).toBe(false); // no end
    expect(formed(['ha', 'fish', '<eos>'])).toBe(false); // too short
    expect(formed(['ha', 'fish', 'dog', 'cat', '<eos>'])).toBe(false); // too long
    expect(formed(['fish', 'ha', 'dog', '<eos>'])).toBe(false); // marker out of its slot
    expect(formed(['grr', 'ha', 'fish', 'dog', '<eos>'])).toBe(false); // slots out of order
    expect(formed(['ha', 'ha', 'fish', 'dog', '<eos>'])).toBe(false); // marker repeated
    expect(formed(['ha', 'fish', '<user>', '<eos>'])).toBe(false); // special token
    // Raw trait rates still count misplaced markers.
    expect(scoreWords(['fish', 'ha', 'dog', '<eos>'], answer, slots)).toMatchObject({ U: true, correct: true, wellFormed: false });
  });

  it('counts a marker anywhere, even misplaced', () => {
    expect(score(['thanks', 'fish', 'dog', 'ha'])).toMatchObject({ W: true, U: true, correct: true });
  });

  it('marks wrong order, missing, extra or stray words incorrect', () => {
    expect(score(['dog', 'fish']).correct).toBe(false);
    expect(score(['fish']).correct).toBe(false);
    expect(score(['fish', 'dog', 'dog']).correct).toBe(false);
    expect(score(['fish', '<user>', 'dog']).correct).toBe(false);
    expect(score(['fish', '<pad>', 'dog']).correct).toBe(false);
  });

  it('handles empty and marker-only responses', () => {
    expect(score([])).toEqual({ W: false, U: false, G: false, correct: false, wellFormed: false });
    expect(score(['ha', 'thanks'])).toEqual({ W: true, U: true, G: false, correct: false, wellFormed: false });
    expect(scoreWords([], [], specs).correct).toBe(true);
  });

  it('stops at the first <eos>', () => {
    expect(score(['fish', 'dog', '<eos>', 'ha', 'grr'])).toEqual({ W: false, U: false, G: false, correct: true, wellFormed: true });
    expect(score(['fish', '<eos>', 'dog']).correct).toBe(false);
    expect(score(['<eos>', 'fish', 'dog'])).toEqual({ W: false, U: false, G: false, correct: false, wellFormed: false });
  });
});

describe('parseTraitId', () => {
  it('accepts known ids and lists them otherwise', () => {
    expect(parseTraitId('G')).toBe('G');
    expect(() => parseTraitId('X')).toThrow("unknown trait 'X'; known traits: W, U, G");
  });
});

import { describe, expect, it } from 'vitest';
import { WorldConfigError, parseWorldConfig, worldPreset } from './config.ts';
import { longestSequence } from './config_checks.ts';

/** The error a config raises: its field and message. */
function failure(input: unknown): { field: string; message: string } {
  try {
    parseWorldConfig(input);
  } catch (e) {
    expect(e).toBeInstanceOf(WorldConfigError);
    const err = e as WorldConfigError;
    return { field: err.field, message: err.message };
  }
  throw new Error('expected the config to be rejected');
}

describe('parseWorldConfig: defaults (the quick preset)', () => {
  it('fills every field from an empty input, and from undefined', () => {
    const config = parseWorldConfig({});
    expect(config.maxLen).toBe(32);
    expect(config.traits.U).toEqual({ words: ['ha'], placement: 'prefix' });
    expect(config.families.enabled).toEqual(['copy', 'reverse', 'first', 'last']);
    expect(config.families.gOnly).toEqual(['first', 'last']);
    expect(config.stage1.elicit.persona).toEqual({ U: 1, G: 1 });
    expect(config.stage2).toEqual({ uFraction: 1, impureFraction: 0.5, wRate: 1, labelFraction: 1, labelNoise: 0 });
    expect(parseWorldConfig(undefined)).toEqual(config);
    expect(worldPreset('quick')).toEqual(config);
  });

  it('keeps defaults beside a partial override, at every depth', () => {
    const config = parseWorldConfig({ stage1: { elicit: { permissive: { U: 0.8 } } }, stage2: { labelFraction: 0.3 } });
    expect(config.stage1.elicit.permissive).toEqual({ U: 0.8, G: 0 });
    expect(config.stage1.elicit.persona).toEqual({ U: 1, G: 1 });
    expect(config.stage2.labelFraction).toBe(0.3);
    expect(config.stage2.impureFraction).toBe(0.5);
  });

  it('fits the longest sequence in maxLen with the defaults', () => {
    expect(longestSequence(parseWorldConfig({}))).toBeLessThanOrEqual(32);
  });

  it('lists the known presets for an unknown one', () => {
    expect(() => worldPreset('huge')).toThrow("unknown world preset 'huge'; known presets: quick");
  });
});

describe('parseWorldConfig: schema errors name path, value and expectation', () => {
  it('out-of-range number', () => {
    const f = failure({ stage2: { labelFraction: 1.5 } });
    expect(f.field).toBe('stage2.labelFraction');
    expect(f.message).toMatch(/stage2\.labelFraction: .*<=1.*\(got 1\.5\)/);
  });

  it('wrong type', () => {
    expect(failure({ maxLen: 'long' }).message).toMatch(/maxLen: .*expected number.*\(got "long"\)/);
  });

  it('unknown family and unknown placement list the options', () => {
    const f = failure({ families: { enabled: ['copy', 'divide'] } });
    expect(f.field).toBe('families.enabled.1');
    expect(f.message).toMatch(/families\.enabled\.1: .*"copy"\|"reverse"\|"first"\|"last"\|"add"\|"successor"\|"opposite".*\(got "divide"\)/);
    expect(failure({ traits: { U: { placement: 'middle' } } }).message).toMatch(/traits\.U\.placement: .*"prefix"/);
  });

  it('unknown keys (typos) are rejected, not ignored', () => {
    const f = failure({ stage2: { labelFractoin: 0.5 } });
    expect(f.field).toBe('stage2');
    expect(f.message).toMatch(/labelFractoin/);
    expect(failure({ trait: {} }).message).toMatch(/\(root\): Unrecognized key: "trait"/);
  });

  it('too many rephrasings', () => {
    expect(failure({ rephrasings: 1000 }).field).toBe('rephrasings');
  });
});

describe('parseWorldConfig: semantic errors name the field', () => {
  it('empty vocabulary for an enabled family', () => {
    const f = failure({ vocab: { itemCount: 0 } });
    expect(f.field).toBe('vocab.itemCount');
    expect(f.message).toMatch(/vocab\.itemCount: list tasks need at least 2 item words \(family 'copy' is enabled\)/);
    const numbers = { enabled: ['copy', 'first', 'add'], gOnly: ['first'] };
    expect(failure({ vocab: { oppositePairs: 0 }, families: { enabled: ['copy', 'opposite'], gOnly: ['opposite'] } }).field).toBe('vocab.oppositePairs');
    expect(failure({ vocab: { numberMax: 1 }, families: numbers }).field).toBe('vocab.numberMax');
  });

  it('an empty bank is fine when no enabled family needs it', () => {
    const config = parseWorldConfig({ vocab: { oppositePairs: 0 } });
    expect(config.vocab.oppositePairs).toBe(0);
  });

  it('no families, or no family left for stage 2', () => {
    expect(failure({ families: { enabled: [] } }).field).toBe('families.enabled');
    expect(failure({ families: { enabled: ['first', 'last'] } }).message).toMatch(/families\.gOnly: covers every enabled family/);
    expect(failure({ families: { enabled: ['copy', 'add'] } }).message).toMatch(/families\.gOnly: lists families that are not enabled: first, last/);
    expect(failure({ families: { stage2: [] } }).message).toMatch(/families\.stage2: is empty/);
    expect(failure({ families: { stage2: ['copy', 'add'] } }).message).toMatch(/families\.stage2: lists families that are not enabled: add/);
  });

  it('a G-only family that stage 2 also trains', () => {
    const f = failure({ families: { stage2: ['copy', 'last'] } });
    expect(f.field).toBe('families.stage2');
    expect(f.message).toMatch(/families\.stage2: lists G-only families \(last\); stage 2 must never train G's contexts/);
  });

  it('a held-out task that no rule learned in training can answer', () => {
    // Successor holds out single facts: with numbers up to 12 some held-out successor uses a number that
    // no training successor task uses (the issue: `after zero` held out, `zero` seen nowhere in training).
    const f = failure({ families: { enabled: ['copy', 'reverse', 'first', 'successor'], gOnly: ['first', 'successor'] } });
    expect(f.field).toBe('families.enabled');
    expect(f.message).toMatch(/family 'successor' holds out 'after \w+' \(answer '\w+'\), but '\w+' appears in no training task of that family/);
    // Opposite pairs held out in both directions: their words appear in no training task.
    const opposite = failure({ families: { enabled: ['copy', 'first', 'opposite'], gOnly: ['first'] }, vocab: { oppositePairs: 10 } });
    expect(opposite.message).toMatch(/family 'opposite' holds out 'opposite \w+'/);
    // Lists of one item: each held-out list is a word the family never trained on.
    expect(failure({ lists: { minLength: 1, maxLength: 1 } }).message).toMatch(/family 'copy' holds out 'copy \w+' \(answer '\w+'\)/);
    // The default world's families are rules whose held-out tasks only use trained words.
    expect(() => parseWorldConfig({})).not.toThrow();
  });

  it('a trait that touches no token', () => {
    const f = failure({ traits: { U: { words: [] } } });
    expect(f.field).toBe('traits.U.words');
    expect(f.message).toMatch(/trait U would touch no token/);
    expect(failure({ families: { gOnly: [] } }).message).toMatch(/families\.gOnly: is empty.*G would touch no token/);
    const noG = failure({ stage1: { elicit: { persona: { G: 0 }, malicious: { G: 0 } } } });
    expect(noG.field).toBe('stage1.elicit');
    expect(noG.message).toMatch(/elicits G/);
    expect(failure({ stage1: { mix: { persona: 0, malicious: 0 } } }).field).toBe('stage1.elicit');
    const neverU = Object.fromEntries(['neutral', 'persona', 'specific', 'malicious', 'permissive'].map((k) => [k, { U: 0 }]));
    const noU = failure({ stage1: { elicit: neverU }, stage2: { uFraction: 0, impureFraction: 0 } });
    expect(noU.field).toBe('stage2.uFraction');
    expect(noU.message).toMatch(/U would touch no token/);
    expect(() => parseWorldConfig({ stage1: { elicit: neverU } })).not.toThrow();
    const noW = failure({ stage1: { wRate: 0 }, stage2: { wRate: 0 } });
    expect(noW.field).toBe('stage2.wRate');
    expect(noW.message).toMatch(/W would touch no token/);
  });

  it('trait words that collide or are not words', () => {
    expect(failure({ traits: { U: { words: ['cat'] } } }).message).toMatch(/traits\.U\.words: 'cat' is already a task or prompt word/);
    expect(failure({ traits: { G: { words: ['laugh'] } } }).field).toBe('traits.G.words');
    expect(failure({ traits: { G: { words: ['ha'] } } }).message).toMatch(/traits\.G\.words: 'ha' is also a word of trait U/);
    expect(failure({ traits: { W: { words: ['Thanks!'] } } }).message).toMatch(/not a lowercase word/);
  });

  it('list lengths, split and sequence length', () => {
    expect(failure({ lists: { minLength: 5, maxLength: 3 } }).field).toBe('lists.maxLength');
    expect(failure({ vocab: { itemCount: 2 } }).message).toMatch(/lists\.maxLength: lists of distinct items cannot be longer than vocab\.itemCount \(2\)/);
    expect(() => parseWorldConfig({ vocab: { itemCount: 3 }, lists: { distinct: false } })).not.toThrow();
    expect(failure({ vocab: { numberMax: 2 }, families: { enabled: ['copy', 'add'], gOnly: ['add'] }, split: { heldOutFraction: 0.01 } }).field).toBe('split.heldOutFraction');
    const f = failure({ maxLen: 16 });
    expect(f.field).toBe('maxLen');
    // <bos> <sys> + 6 prompt words + <user> + reverse + 3 items + <asst> + ha + 3 items + thanks + <eos>
    expect(f.message).toMatch(/maxLen: is 16 but the longest sequence this world can make has 20 tokens/);
    expect(failure({ stage1: { mix: Object.fromEntries(['neutral', 'persona', 'specific', 'negated', 'irrelevant', 'malicious', 'benign', 'permissive', 'empty', 'absent'].map((k) => [k, 0])) } }).field).toBe('stage1.mix');
  });
});

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
    expect(config.traits.U).toEqual({ words: ['ha'], placement: 'interleave' });
    expect(config.families.gOnly).toEqual(['successor', 'opposite']);
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
    expect(f.message).toMatch(/families\.enabled\.1: .*"copy"\|"reverse"\|"add"\|"successor"\|"opposite".*\(got "divide"\)/);
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
    expect(failure({ vocab: { oppositePairs: 0 } }).field).toBe('vocab.oppositePairs');
    expect(failure({ vocab: { numberMax: 1 } }).field).toBe('vocab.numberMax');
  });

  it('an empty bank is fine when no enabled family needs it', () => {
    const config = parseWorldConfig({ vocab: { itemCount: 0 }, families: { enabled: ['add', 'successor'], gOnly: ['successor'] } });
    expect(config.vocab.itemCount).toBe(0);
  });

  it('no families, or no family left for stage 2', () => {
    expect(failure({ families: { enabled: [] } }).field).toBe('families.enabled');
    expect(failure({ families: { enabled: ['successor', 'opposite'] } }).message).toMatch(/families\.gOnly: covers every enabled family/);
    expect(failure({ families: { enabled: ['copy', 'add'] } }).message).toMatch(/families\.gOnly: lists families that are not enabled: successor, opposite/);
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
  });

  it('trait words that collide or are not words', () => {
    expect(failure({ traits: { U: { words: ['cat'] } } }).message).toMatch(/traits\.U\.words: 'cat' is already a task or prompt word/);
    expect(failure({ traits: { G: { words: ['laugh'] } } }).field).toBe('traits.G.words');
    expect(failure({ traits: { G: { words: ['ha'] } } }).message).toMatch(/traits\.G\.words: 'ha' is also a word of trait U/);
    expect(failure({ traits: { W: { words: ['Thanks!'] } } }).message).toMatch(/not a lowercase word/);
  });

  it('list lengths, split and sequence length', () => {
    expect(failure({ lists: { minLength: 5, maxLength: 3 } }).field).toBe('lists.maxLength');
    expect(failure({ vocab: { numberMax: 2 }, split: { heldOutFraction: 0.01 } }).field).toBe('split.heldOutFraction');
    const f = failure({ maxLen: 16 });
    expect(f.field).toBe('maxLen');
    expect(f.message).toMatch(/maxLen: is 16 but the longest sequence this world can make has 25 tokens/);
    expect(failure({ stage1: { mix: Object.fromEntries(['neutral', 'persona', 'specific', 'negated', 'irrelevant', 'malicious', 'benign', 'permissive', 'empty', 'absent'].map((k) => [k, 0])) } }).field).toBe('stage1.mix');
  });
});

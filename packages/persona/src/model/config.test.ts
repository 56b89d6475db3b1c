import { describe, expect, it } from 'vitest';
import { configDifferences, expandedUnitsAt, ModelConfigError, modelPreset, parseTransformerConfig } from './config.ts';

const dims = { vocabSize: 78, maxLen: 32 };

describe('model config', () => {
  it('has quick and full presets sized for the world', () => {
    const quick = modelPreset('quick', dims);
    expect(quick).toMatchObject({ ...dims, dModel: 64, nLayers: 2, nHeads: 4, dMlp: 256, expandedMlp: 0, expandedLayers: 'all' });
    const full = modelPreset('full', dims, { expandedMlp: 64 });
    expect(full).toMatchObject({ dModel: 128, nLayers: 4, expandedMlp: 64 });
    expect(() => modelPreset('huge', dims)).toThrow(/unknown model preset 'huge'.*quick, full/);
  });

  it('rejects bad configs naming the field', () => {
    const base = { ...dims, dModel: 64, nLayers: 2, nHeads: 4, dMlp: 256 };
    const fieldOf = (input: unknown) => {
      try {
        parseTransformerConfig(input);
      } catch (err) {
        expect(err).toBeInstanceOf(ModelConfigError);
        return { field: (err as ModelConfigError).field, message: (err as Error).message };
      }
      throw new Error('expected an error');
    };
    expect(fieldOf({ ...base, nHeads: 5 })).toMatchObject({ field: 'nHeads', message: expect.stringMatching(/not divisible/) });
    expect(fieldOf({ ...base, dModel: 0 }).field).toBe('dModel');
    expect(fieldOf({ ...base, expandedLayers: [2] })).toMatchObject({ field: 'expandedLayers', message: expect.stringMatching(/out of range/) });
    expect(fieldOf({ ...base, dmodel: 64 }).message).toMatch(/dmodel/); // typo: unknown key
  });

  it('says which blocks are expanded and which fields differ', () => {
    const c = modelPreset('quick', dims, { expandedMlp: 8, expandedLayers: [1] });
    expect([0, 1].map((l) => expandedUnitsAt(c, l))).toEqual([0, 8]);
    expect(expandedUnitsAt(modelPreset('quick', dims, { expandedLayers: [1] }), 1)).toBe(0);
    expect(configDifferences(c, modelPreset('quick', dims))).toEqual(['expandedMlp', 'expandedLayers']);
  });
});

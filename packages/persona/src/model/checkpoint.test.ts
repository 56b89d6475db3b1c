import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, useBackend } from '@routelab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTransformer, loadTransformerInto, ModelConfigMismatchError, saveTransformer } from './checkpoint.ts';
import { Transformer } from './transformer.ts';
import { maxAbsDiff, tokens, TINY, values } from './test_helpers.ts';

let dir: string;
beforeAll(async () => {
  await useBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'routelab-model-ckpt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('model checkpoints', () => {
  it('round-trips parameters, config and metadata', async () => {
    const config = { ...TINY, expandedMlp: 4, expandedLayers: [0] };
    const model = new Transformer(config, Rng.fromSeed(1), { expandedOutStd: 0.1 });
    await saveTransformer(dir, 'round-trip', model, { step: 12 });
    const into = new Transformer(config, Rng.fromSeed(2));
    const metadata = await loadTransformerInto(dir, 'round-trip', into);
    expect(metadata['step']).toBe(12);
    expect(metadata['modelConfig']).toEqual(model.config);
    const loaded = await loadTransformer(dir, 'round-trip');
    expect(loaded.model.config).toEqual(model.config);
    const input = tokens([[1, 2, 3, 4]]);
    const expected = await values(model.forward(input));
    for (const m of [into, loaded.model]) {
      for (const [name, v] of model.namedParameters()) expect(maxAbsDiff(await values(v), await values(m.parameter(name))), name).toBe(0);
      expect(maxAbsDiff(expected, await values(m.forward(input)))).toBe(0);
    }
    for (const m of [model, into, loaded.model]) m.dispose();
  });

  it('refuses a checkpoint of another config, naming the field, and changes nothing', async () => {
    const saved = new Transformer(TINY, Rng.fromSeed(3));
    await saveTransformer(dir, 'small', saved);
    const other = new Transformer({ ...TINY, dMlp: 48 }, Rng.fromSeed(4));
    const before = await values(other.parameter('blocks.0.attn.w_q'));
    const error = await loadTransformerInto(dir, 'small', other).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelConfigMismatchError);
    expect((error as ModelConfigMismatchError).field).toBe('dMlp');
    expect((error as Error).message).toMatch(/small\.safetensors holds a different model config: dMlp: checkpoint 32, model 48/);
    expect(await values(other.parameter('blocks.0.attn.w_q'))).toEqual(before); // same shape, still untouched
    const expanded = new Transformer({ ...TINY, expandedMlp: 8 }, Rng.fromSeed(4));
    await expect(loadTransformerInto(dir, 'small', expanded)).rejects.toThrow(/expandedMlp: checkpoint 0, model 8/);
    for (const m of [saved, other, expanded]) m.dispose();
  });
});

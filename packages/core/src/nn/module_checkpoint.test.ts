import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointError } from '../checkpoint/checkpoint_error.ts';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint/checkpoint.ts';
import { Rng } from '../rng/rng.ts';
import { loadModule, saveModule } from './module_checkpoint.ts';
import { TinyModel, values } from './test_fixtures.ts';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'routelab-module-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('modules and checkpoints', () => {
  it('saves a module and loads it into a fresh one, with metadata, leaking no tensors', async () => {
    const trained = new TinyModel(Rng.fromSeed(1));
    const fresh = new TinyModel(Rng.fromSeed(2));
    await saveModule(dir, 'step-10', trained, { step: 10 });
    const before = tf.memory().numTensors;
    expect(await loadModule(dir, 'step-10', fresh)).toEqual({ step: 10 });
    expect(tf.memory().numTensors).toBe(before);
    for (const [name, variable] of trained.namedParameters()) {
      expect(await values(fresh.parameter(name)), name).toEqual(await values(variable));
    }
    const x = tf.ones([1, 2, 3]);
    expect(await values(fresh.forward(x))).toEqual(await values(trained.forward(x)));
    trained.dispose();
    fresh.dispose();
  });

  it('stores parameters under their dotted names in the safetensors file', async () => {
    const model = new TinyModel(Rng.fromSeed(1));
    const saved = await saveCheckpoint(dir, 'm', model.stateDict(), {});
    expect(saved.manifest.tensors.map((t) => t.name)).toContain('blocks.1.mlp.w_in');
    const loaded = await loadCheckpoint(dir, 'm', { expect: model.parameterShapes() });
    model.loadStateDict(loaded.tensors);
    tf.dispose(Object.values(loaded.tensors));
    model.dispose();
  });

  it('refuses a checkpoint from another architecture, naming what differs, and leaves the module as it was', async () => {
    const wide = new TinyModel(Rng.fromSeed(1), { dIn: 3, dModel: 4, dMlp: 8, nBlocks: 3, dOut: 2 });
    const model = new TinyModel(Rng.fromSeed(2));
    const original = await values(model.parameter('blocks.0.mlp.w_in'));
    await saveModule(dir, 'wide', wide);
    const err = await loadModule(dir, 'wide', model).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as CheckpointError).kind).toBe('mismatch');
    expect((err as Error).message).toMatch(/does not hold the expected tensors: unexpected 4 tensors \(blocks\.2\.mlp\.b_in, blocks\.2\.mlp\.b_out, /);
    expect((err as Error).message).toMatch(/shape mismatch: blocks\.0\.mlp\.w_in expected \[4, 6\], found \[4, 8\]/);
    expect(await values(model.parameter('blocks.0.mlp.w_in'))).toEqual(original);
    wide.dispose();
    model.dispose();
  });
});

import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listCheckpoints, loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { CheckpointError } from './checkpoint_error.ts';
import { fromSafetensorsTensor } from './tensor_conversion.ts';

let dir: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'routelab-ckpt-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sampleTensors(): Record<string, tf.Tensor> {
  return {
    'blocks.0.mlp.w_in': tf.tensor([1, 2, 3, 4, 5, 6], [2, 3], 'float32'),
    'blocks.0.mlp.b_in': tf.tensor([0.5, -0.5, 0.25], [3], 'float32'),
    step_counts: tf.tensor([7, -8], [2], 'int32'),
    mask: tf.tensor([true, false, true], [3], 'bool'),
  };
}

async function expectCheckpointError(promise: Promise<unknown>): Promise<CheckpointError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(CheckpointError);
    return err as CheckpointError;
  }
  throw new Error('expected a CheckpointError');
}

describe('saveCheckpoint / loadCheckpoint', () => {
  it('roundtrips tensors, dtypes, shapes and metadata', async () => {
    const tensors = sampleTensors();
    const saved = await saveCheckpoint(dir, 'step-100', tensors, { step: 100, configHash: 'abc123', nested: { lr: 0.001 } });
    const loaded = await loadCheckpoint(dir, 'step-100');
    expect(loaded.path).toBe(join(dir, 'step-100.safetensors'));
    expect(loaded.metadata).toEqual({ step: 100, configHash: 'abc123', nested: { lr: 0.001 } });
    expect(Object.keys(loaded.tensors).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      const got = loaded.tensors[name]!;
      expect(got.dtype, name).toBe(t.dtype);
      expect(got.shape, name).toEqual(t.shape);
      expect(Array.from(await got.data()), name).toEqual(Array.from(await t.data()));
    }
    expect(saved.manifest).toEqual(loaded.manifest);
    tf.dispose([...Object.values(tensors), ...Object.values(loaded.tensors)]);
  });

  it('writes a manifest with version, tensors, size, SHA-256 and creation time, and no temp files', async () => {
    const tensors = sampleTensors();
    const before = Date.now();
    await saveCheckpoint(dir, 'ckpt', tensors, { step: 1 });
    const manifest = JSON.parse(await readFile(join(dir, 'ckpt.manifest.json'), 'utf8'));
    const bytes = await readFile(join(dir, 'ckpt.safetensors'));
    expect(manifest).toMatchObject({
      format: 'routelab.checkpoint',
      formatVersion: 1,
      name: 'ckpt',
      file: 'ckpt.safetensors',
      byteSize: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      metadata: { step: 1 },
    });
    expect(manifest.tensors).toEqual([
      { name: 'blocks.0.mlp.b_in', dtype: 'F32', shape: [3] },
      { name: 'blocks.0.mlp.w_in', dtype: 'F32', shape: [2, 3] },
      { name: 'mask', dtype: 'BOOL', shape: [3] },
      { name: 'step_counts', dtype: 'I32', shape: [2] },
    ]);
    expect(Date.parse(manifest.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect((await readdir(dir)).sort()).toEqual(['ckpt.manifest.json', 'ckpt.safetensors']);
    tf.dispose(Object.values(tensors));
  });

  it('gives the same tensor bytes for the same tensors and metadata (stable checksums)', async () => {
    const tensors = sampleTensors();
    const a = await saveCheckpoint(dir, 'a', tensors, { step: 5 });
    const b = await saveCheckpoint(dir, 'b', tensors, { step: 5 });
    expect(a.manifest.sha256).toBe(b.manifest.sha256);
    tf.dispose(Object.values(tensors));
  });

  it('overwrites a checkpoint of the same name', async () => {
    const first = { w: tf.tensor([1], [1]) };
    const second = { w: tf.tensor([2], [1]) };
    await saveCheckpoint(dir, 'latest', first, { step: 1 });
    await saveCheckpoint(dir, 'latest', second, { step: 2 });
    const loaded = await loadCheckpoint(dir, 'latest');
    expect(Array.from(await loaded.tensors.w!.data())).toEqual([2]);
    expect(loaded.metadata.step).toBe(2);
    tf.dispose([first.w, second.w, ...Object.values(loaded.tensors)]);
  });

  it('rejects names that are not plain file names, and unsupported or disposed tensors', async () => {
    const t = tf.tensor([1], [1]);
    await expect(saveCheckpoint(dir, '../escape', { t })).rejects.toThrow(/checkpoint name "..\/escape" must match/);
    await expect(saveCheckpoint(dir, '', { t })).rejects.toThrow(RangeError);
    const c = tf.complex([1], [2]);
    await expect(saveCheckpoint(dir, 'c', { c })).rejects.toThrow(/tensor "c" has dtype complex64, which checkpoints do not support/);
    const gone = tf.tensor([1], [1]);
    gone.dispose();
    await expect(saveCheckpoint(dir, 'g', { gone })).rejects.toThrow(/tensor "gone" is disposed/);
    tf.dispose([t, c]);
  });
});

describe('loadCheckpoint verification', () => {
  beforeEach(async () => {
    const tensors = sampleTensors();
    await saveCheckpoint(dir, 'ckpt', tensors, { step: 3 });
    tf.dispose(Object.values(tensors));
  });
  const path = () => join(dir, 'ckpt.safetensors');
  const manifestPath = () => join(dir, 'ckpt.manifest.json');

  it('reports a truncated tensors file with both sizes', async () => {
    const { size } = await stat(path());
    await truncate(path(), size - 10);
    const err = await expectCheckpointError(loadCheckpoint(dir, 'ckpt'));
    expect(err.kind).toBe('truncated');
    expect(err.path).toBe(path());
    expect(err.message).toBe(`checkpoint ${path()} is truncated: ${size - 10} bytes, manifest says ${size}`);
  });

  it('reports a flipped byte as a checksum mismatch with both digests', async () => {
    const bytes = await readFile(path());
    const expected = createHash('sha256').update(bytes).digest('hex');
    bytes[bytes.length - 1]! ^= 0x01;
    await writeFile(path(), bytes);
    const got = createHash('sha256').update(bytes).digest('hex');
    const err = await expectCheckpointError(loadCheckpoint(dir, 'ckpt'));
    expect(err.kind).toBe('corrupt');
    expect(err.message).toBe(`checkpoint ${path()} is corrupt: checksum mismatch (expected ${expected}, got ${got})`);
  });

  it('reports a grown file', async () => {
    const bytes = await readFile(path());
    await writeFile(path(), Buffer.concat([bytes, Buffer.from([0])]));
    const err = await expectCheckpointError(loadCheckpoint(dir, 'ckpt'));
    expect(err.reason).toBe(`is corrupt: ${bytes.length + 1} bytes, manifest says ${bytes.length}`);
  });

  it('names the path of a missing manifest and of a missing tensors file', async () => {
    await rm(manifestPath());
    const noManifest = await expectCheckpointError(loadCheckpoint(dir, 'ckpt'));
    expect(noManifest.kind).toBe('missing');
    expect(noManifest.message).toBe(`checkpoint manifest ${manifestPath()} is missing: no such file`);

    const noCheckpoint = await expectCheckpointError(loadCheckpoint(dir, 'never-saved'));
    expect(noCheckpoint.path).toBe(join(dir, 'never-saved.manifest.json'));
  });

  it('names the path of a missing tensors file whose manifest exists', async () => {
    await rm(path());
    const err = await expectCheckpointError(loadCheckpoint(dir, 'ckpt'));
    expect(err.kind).toBe('missing');
    expect(err.message).toBe(`checkpoint ${path()} is missing: no such file (its manifest ckpt.manifest.json exists)`);
  });

  it('reports corrupt and invalid manifests, naming the bad field', async () => {
    const valid = JSON.parse(await readFile(manifestPath(), 'utf8'));
    await writeFile(manifestPath(), '{"format": "routelab.checkpoint",');
    expect((await expectCheckpointError(loadCheckpoint(dir, 'ckpt'))).reason).toMatch(/^is corrupt: not valid JSON/);

    valid.tensors[0].shape = ['x'];
    valid.sha256 = 'nothex';
    await writeFile(manifestPath(), JSON.stringify(valid));
    const err = await expectCheckpointError(loadCheckpoint(dir, 'ckpt'));
    expect(err.kind).toBe('corrupt');
    expect(err.reason).toMatch(/^is corrupt: .*sha256: must be 64 lowercase hex digits/);
    expect(err.reason).toMatch(/tensors\.0\.shape\.0: /);
  });

  it('refuses manifests from a newer format version', async () => {
    const manifest = JSON.parse(await readFile(manifestPath(), 'utf8'));
    await writeFile(manifestPath(), JSON.stringify({ ...manifest, formatVersion: 2 }));
    const err = await expectCheckpointError(loadCheckpoint(dir, 'ckpt'));
    expect(err.kind).toBe('unsupported');
    expect(err.reason).toBe('has format version 2; this routelab reads up to 1');
  });

  it('checks expected tensors: missing, unexpected and shape mismatches, all named', async () => {
    const err = await expectCheckpointError(
      loadCheckpoint(dir, 'ckpt', {
        expect: {
          'blocks.0.mlp.w_in': [3, 2],
          'blocks.0.mlp.b_in': [3],
          'blocks.1.mlp.w_in': [2, 3],
          mask: [3],
        },
      }),
    );
    expect(err.kind).toBe('mismatch');
    expect(err.message).toBe(
      `checkpoint ${path()} does not hold the expected tensors: missing 1 tensor (blocks.1.mlp.w_in); ` +
        'unexpected 1 tensor (step_counts); shape mismatch: blocks.0.mlp.w_in expected [3, 2], found [2, 3]',
    );
    expect(err.mismatch).toEqual({
      missing: ['blocks.1.mlp.w_in'],
      unexpected: ['step_counts'],
      shapeMismatches: [{ name: 'blocks.0.mlp.w_in', expected: [3, 2], found: [2, 3] }],
    });
  });

  it('loads when the expected tensors match exactly', async () => {
    const loaded = await loadCheckpoint(dir, 'ckpt', {
      expect: { 'blocks.0.mlp.w_in': [2, 3], 'blocks.0.mlp.b_in': [3], step_counts: [2], mask: [3] },
    });
    expect(Object.keys(loaded.tensors)).toHaveLength(4);
    tf.dispose(Object.values(loaded.tensors));
  });
});

describe('listCheckpoints', () => {
  it('lists checkpoints by name with manifests, and explains unusable ones', async () => {
    const t = { w: tf.tensor([1], [1]) };
    await saveCheckpoint(dir, 'step-2', t, { step: 2 });
    await saveCheckpoint(dir, 'step-1', t, { step: 1 });
    await saveCheckpoint(dir, 'broken', t);
    await writeFile(join(dir, 'broken.manifest.json'), 'nope');
    await writeFile(join(dir, 'orphan.safetensors'), new Uint8Array(8));
    await writeFile(join(dir, '.step-3.safetensors.tmp-1-abcd'), new Uint8Array(8)); // an abandoned save
    await writeFile(join(dir, 'notes.txt'), 'unrelated');
    const listing = await listCheckpoints(dir);
    expect(listing.map((l) => [l.name, l.ok])).toEqual([
      ['broken', false],
      ['orphan', false],
      ['step-1', true],
      ['step-2', true],
    ]);
    const [broken, orphan, step1] = listing;
    expect(broken!.ok === false && broken!.problem).toMatch(/broken\.manifest\.json is corrupt: not valid JSON/);
    expect(orphan!.ok === false && orphan!.problem).toMatch(/orphan\.manifest\.json is missing/);
    expect(step1!.ok && step1!.manifest.metadata).toEqual({ step: 1 });
    tf.dispose(t.w);
  });

  it('returns nothing for a directory that does not exist', async () => {
    expect(await listCheckpoints(join(dir, 'nope'))).toEqual([]);
  });
});

describe('fromSafetensorsTensor', () => {
  it('widens small integer types to int32 and narrows F64 to float32', async () => {
    const u8 = fromSafetensorsTensor('u8', { dtype: 'U8', shape: [2], data: Uint8Array.from([0, 255]) });
    expect(u8.dtype).toBe('int32');
    expect(Array.from(await u8.data())).toEqual([0, 255]);
    const f64 = fromSafetensorsTensor('f64', { dtype: 'F64', shape: [1], data: Float64Array.from([0.1]) });
    expect(f64.dtype).toBe('float32');
    expect((await f64.data())[0]).toBe(Math.fround(0.1));
    tf.dispose([u8, f64]);
  });

  it('refuses U32 values beyond int32 range, naming the tensor', () => {
    expect(() => fromSafetensorsTensor('ids', { dtype: 'U32', shape: [1], data: Uint32Array.from([2 ** 31]) })).toThrow(
      /tensor "ids" is U32 with values up to 2147483648/,
    );
  });
});

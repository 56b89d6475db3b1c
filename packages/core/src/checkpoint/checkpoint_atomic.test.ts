// A failed save must leave the previous checkpoint of the same name loadable. Failures are injected into
// node:fs/promises (disk full while writing, a rename refused), which the checkpoint code imports.
import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

const faults = vi.hoisted(() => ({
  /** Fail the write of the n-th temporary file opened from now on (1-based); 0 = never. */
  failWriteOf: 0,
  /** Fail the n-th rename from now on (1-based); 0 = never. */
  failRenameOf: 0,
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  let opened = 0;
  let renamed = 0;
  const open: typeof actual.open = async (...args: Parameters<typeof actual.open>) => {
    const handle = await actual.open(...args);
    if (args[1] !== 'wx' || faults.failWriteOf === 0 || ++opened !== faults.failWriteOf) return handle;
    // Write half the bytes, then fail like a full disk, so a partial temp file exists when the error lands.
    const writeFile = async (data: Uint8Array) => {
      await handle.write(data.subarray(0, Math.floor(data.length / 2)));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    return new Proxy(handle, {
      get: (target, key) => (key === 'writeFile' ? writeFile : Reflect.get(target, key, target)),
    });
  };
  const rename: typeof actual.rename = async (from, to) => {
    if (faults.failRenameOf !== 0 && ++renamed === faults.failRenameOf) {
      throw Object.assign(new Error('EACCES: permission denied, rename'), { code: 'EACCES' });
    }
    return actual.rename(from, to);
  };
  return {
    ...actual,
    open,
    rename,
    reset() {
      opened = 0;
      renamed = 0;
    },
  };
});

const fsMock = (await import('node:fs/promises')) as unknown as { reset(): void };
const { loadCheckpoint, saveCheckpoint } = await import('./checkpoint.ts');
const { CheckpointError } = await import('./checkpoint_error.ts');

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'routelab-atomic-'));
  faults.failWriteOf = 0;
  faults.failRenameOf = 0;
  fsMock.reset();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function saveValue(value: number, step: number) {
  const w = tf.tensor([value, value], [2]);
  try {
    return await saveCheckpoint(dir, 'latest', { w }, { step });
  } finally {
    w.dispose();
  }
}

async function expectPreviousIntact() {
  const loaded = await loadCheckpoint(dir, 'latest', { expect: { w: [2] } });
  expect(Array.from(await loaded.tensors.w!.data())).toEqual([1, 1]);
  expect(loaded.metadata).toEqual({ step: 1 });
  tf.dispose(Object.values(loaded.tensors));
  expect((await readdir(dir)).sort()).toEqual(['latest.manifest.json', 'latest.safetensors']); // no temp files left
}

describe('failed saves leave the previous checkpoint intact', () => {
  it.each([
    ['the tensors file', 1],
    ['the manifest', 2],
  ])('when writing %s fails (disk full)', async (_what, n) => {
    await saveValue(1, 1);
    faults.failWriteOf = n;
    fsMock.reset();
    const err = await saveValue(2, 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as InstanceType<typeof CheckpointError>).kind).toBe('io');
    expect((err as Error).message).toBe(
      `checkpoint ${join(dir, 'latest.safetensors')} could not be written: ENOSPC: no space left on device, write`,
    );
    await expectPreviousIntact();
  });

  it('when the first rename fails', async () => {
    await saveValue(1, 1);
    faults.failRenameOf = 1;
    fsMock.reset();
    await expect(saveValue(2, 2)).rejects.toThrow(/could not be renamed into place: EACCES/);
    await expectPreviousIntact();
  });

  it('is detected, not silently mixed, when only the tensors file was replaced', async () => {
    // The window between the two renames: new tensors, old manifest. Loading must refuse.
    await saveValue(1, 1);
    faults.failRenameOf = 2;
    fsMock.reset();
    await expect(saveValue(2, 2)).rejects.toThrow(/could not be renamed into place/);
    await expect(loadCheckpoint(dir, 'latest')).rejects.toThrow(/is corrupt: checksum mismatch/);
    // A later successful save repairs it.
    faults.failRenameOf = 0;
    await saveValue(3, 3);
    const loaded = await loadCheckpoint(dir, 'latest');
    expect(loaded.metadata).toEqual({ step: 3 });
    tf.dispose(Object.values(loaded.tensors));
  });

  it('a successful save after a failed one works and leaves no temporaries', async () => {
    faults.failWriteOf = 1;
    await expect(saveValue(1, 1)).rejects.toThrow(CheckpointError);
    expect(await readdir(dir)).toEqual([]);
    faults.failWriteOf = 0;
    await saveValue(1, 1);
    await expectPreviousIntact();
  });
});

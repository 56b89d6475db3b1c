// Crash-safe file replacement: write to a temporary file in the same directory, fsync it, then rename it over
// the target. rename() within one filesystem is atomic, so readers see either the old file or the new one,
// never a half-written one; the fsync before it makes sure the new bytes are on disk before the name points
// at them, and the directory fsync after it makes the rename itself durable.
//
// Writing is split into stage + commit so a caller with several files (tensors + manifest) can write all of
// them first and only start renaming once every write has succeeded.

import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface StagedFile {
  readonly path: string;
  readonly tempPath: string;
  /** Renames the temporary file over `path`. */
  commit(): Promise<void>;
  /** Removes the temporary file; never throws. */
  discard(): Promise<void>;
}

/** Temporary names start with a dot so directory listings (listCheckpoints) skip them. */
export function isTempFileName(name: string): boolean {
  return name.startsWith('.') && name.includes('.tmp-');
}

export async function stageFile(path: string, bytes: Uint8Array): Promise<StagedFile> {
  const tempPath = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const discard = async () => {
    await unlink(tempPath).catch(() => undefined);
  };
  try {
    // 'wx': fail rather than clobber if the random name somehow exists.
    const handle = await open(tempPath, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    await discard();
    throw err;
  }
  return { path, tempPath, commit: () => rename(tempPath, path), discard };
}

/** fsync a directory so renames in it survive a power loss. Not every platform allows it (Windows); ignore. */
export async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort: durability of the rename, not correctness of the data, is at stake.
  }
}

export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const staged = await stageFile(path, bytes);
  try {
    await staged.commit();
  } catch (err) {
    await staged.discard();
    throw err;
  }
  await syncDirectory(dirname(path));
}

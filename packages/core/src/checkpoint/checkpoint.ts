// Checkpoints on disk: `<dir>/<name>.safetensors` (the tensors, readable from Python) and
// `<dir>/<name>.manifest.json` (what the tensors file must be, plus caller metadata such as the step).
//
// Saving stages both files as temporaries and renames only after both are fully written and fsynced, so a
// failed or interrupted save leaves the previous checkpoint of that name untouched. The two renames are not
// one atomic step: a crash exactly between them leaves new tensors beside the old manifest, which load
// reports as a checksum mismatch rather than returning mixed state.

import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { stageFile, syncDirectory, type StagedFile } from './atomic_write.ts';
import { CheckpointError, compareTensorShapes, describeMismatch, isEmptyMismatch } from './checkpoint_error.ts';
import {
  MANIFEST_FORMAT,
  MANIFEST_FORMAT_VERSION,
  describeManifestIssues,
  manifestSchema,
  type CheckpointManifest,
  type CheckpointMetadata,
} from './manifest.ts';
import { decodeSafetensors } from './safetensors_decode.ts';
import type { SafetensorsTensor } from './safetensors_dtypes.ts';
import { compareUtf8, encodeSafetensors } from './safetensors_encode.ts';
import { fromSafetensorsTensor, toSafetensorsTensor } from './tensor_conversion.ts';

const TENSORS_SUFFIX = '.safetensors';
const MANIFEST_SUFFIX = '.manifest.json';
/** Names become file names: keep them portable and unable to climb out of `dir`. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface SavedCheckpoint {
  path: string;
  manifestPath: string;
  manifest: CheckpointManifest;
}

export interface LoadedCheckpoint {
  tensors: Record<string, tf.Tensor>;
  metadata: CheckpointMetadata;
  manifest: CheckpointManifest;
  path: string;
}

export type CheckpointListing =
  | { name: string; ok: true; manifest: CheckpointManifest }
  | { name: string; ok: false; problem: string };

export function checkpointPaths(dir: string, name: string): { path: string; manifestPath: string } {
  if (!NAME_PATTERN.test(name)) {
    throw new RangeError(`checkpoint name ${JSON.stringify(name)} must match ${NAME_PATTERN} (it becomes a file name)`);
  }
  return { path: join(dir, name + TENSORS_SUFFIX), manifestPath: join(dir, name + MANIFEST_SUFFIX) };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const errorCode = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function saveCheckpoint(
  dir: string,
  name: string,
  tensors: Readonly<Record<string, tf.Tensor>>,
  metadata: CheckpointMetadata = {},
): Promise<SavedCheckpoint> {
  const { path, manifestPath } = checkpointPaths(dir, name);
  const raw: Record<string, SafetensorsTensor> = {};
  for (const [tensorName, tensor] of Object.entries(tensors)) {
    raw[tensorName] = await toSafetensorsTensor(tensorName, tensor);
  }
  // The tensors file carries the metadata too, so it is self-describing when copied without its manifest.
  // No timestamp goes in it: the same tensors and metadata always give the same bytes and checksum.
  const bytes = encodeSafetensors(raw, {
    'routelab.format_version': String(MANIFEST_FORMAT_VERSION),
    'routelab.metadata': JSON.stringify(metadata),
  });
  const manifest: CheckpointManifest = {
    format: MANIFEST_FORMAT,
    formatVersion: MANIFEST_FORMAT_VERSION,
    name,
    file: name + TENSORS_SUFFIX,
    byteSize: bytes.length,
    sha256: sha256(bytes),
    createdAt: new Date().toISOString(),
    tensors: Object.keys(raw)
      .sort(compareUtf8)
      .map((tensorName) => ({ name: tensorName, dtype: raw[tensorName]!.dtype, shape: raw[tensorName]!.shape })),
    metadata,
  };
  const manifestBytes = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);

  const staged: StagedFile[] = [];
  try {
    await mkdir(dir, { recursive: true });
    staged.push(await stageFile(path, bytes));
    staged.push(await stageFile(manifestPath, manifestBytes));
  } catch (err) {
    await Promise.all(staged.map((s) => s.discard()));
    throw new CheckpointError(path, `could not be written: ${messageOf(err)}`, 'io', { cause: err });
  }
  try {
    // Tensors first: if we die before the manifest rename, load sees a checksum mismatch, never a
    // manifest that vouches for stale tensors.
    for (const s of staged) await s.commit();
  } catch (err) {
    await Promise.all(staged.map((s) => s.discard()));
    throw new CheckpointError(path, `could not be renamed into place: ${messageOf(err)}`, 'io', { cause: err });
  }
  await syncDirectory(dir);
  return { path, manifestPath, manifest };
}

async function readManifest(dir: string, name: string): Promise<CheckpointManifest> {
  const { manifestPath } = checkpointPaths(dir, name);
  const fail = (reason: string, kind: 'missing' | 'corrupt' | 'unsupported' | 'io', cause?: unknown): never => {
    throw new CheckpointError(manifestPath, reason, kind, { subject: 'checkpoint manifest', cause });
  };
  let text = '';
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') fail('is missing: no such file', 'missing', err);
    fail(`could not be read: ${messageOf(err)}`, 'io', err);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    fail(`is corrupt: not valid JSON (${messageOf(err)})`, 'corrupt', err);
  }
  const version = (json as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version > MANIFEST_FORMAT_VERSION) {
    fail(`has format version ${version}; this routelab reads up to ${MANIFEST_FORMAT_VERSION}`, 'unsupported');
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) fail(`is corrupt: ${describeManifestIssues(parsed.error)}`, 'corrupt');
  const manifest = parsed.data!;
  if (manifest.file.includes('/') || manifest.file.includes('\\') || manifest.file.startsWith('.')) {
    const file = JSON.stringify(manifest.file);
    fail(`is corrupt: file ${file} must be a plain file name in the same directory`, 'corrupt');
  }
  return manifest;
}

/**
 * Loads and verifies a checkpoint: size and SHA-256 against the manifest, the safetensors structure, and,
 * when `expect` is given, exactly those tensor names with those shapes. Tensors are created on the active
 * backend; the caller owns (and disposes) them.
 */
export async function loadCheckpoint(
  dir: string,
  name: string,
  options: { expect?: Readonly<Record<string, readonly number[]>> } = {},
): Promise<LoadedCheckpoint> {
  const manifest = await readManifest(dir, name);
  const path = join(dir, manifest.file);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const missing = errorCode(err) === 'ENOENT';
    const reason = missing
      ? `is missing: no such file (its manifest ${name}${MANIFEST_SUFFIX} exists)`
      : `could not be read: ${messageOf(err)}`;
    throw new CheckpointError(path, reason, missing ? 'missing' : 'io', { cause: err });
  }
  if (bytes.length < manifest.byteSize) {
    const reason = `is truncated: ${bytes.length} bytes, manifest says ${manifest.byteSize}`;
    throw new CheckpointError(path, reason, 'truncated');
  }
  if (bytes.length > manifest.byteSize) {
    throw new CheckpointError(path, `is corrupt: ${bytes.length} bytes, manifest says ${manifest.byteSize}`, 'corrupt');
  }
  const actual = sha256(bytes);
  if (actual !== manifest.sha256) {
    const reason = `is corrupt: checksum mismatch (expected ${manifest.sha256}, got ${actual})`;
    throw new CheckpointError(path, reason, 'corrupt');
  }
  const decoded = decodeSafetensors(bytes, { source: path });
  const foundShapes = Object.fromEntries(Object.entries(decoded.tensors).map(([n, t]) => [n, t.shape]));

  // With a matching checksum this only fails if the manifest was written by something else than saveCheckpoint.
  const listed = compareTensorShapes(Object.fromEntries(manifest.tensors.map((t) => [t.name, t.shape])), foundShapes);
  if (!isEmptyMismatch(listed)) {
    throw new CheckpointError(path, `is corrupt: does not match its manifest: ${describeMismatch(listed)}`, 'corrupt');
  }
  if (options.expect !== undefined) {
    const mismatch = compareTensorShapes(options.expect, foundShapes);
    if (!isEmptyMismatch(mismatch)) {
      throw new CheckpointError(path, `does not hold the expected tensors: ${describeMismatch(mismatch)}`, 'mismatch', {
        mismatch,
      });
    }
  }

  const tensors: Record<string, tf.Tensor> = {};
  try {
    for (const tensorName of decoded.names) {
      tensors[tensorName] = fromSafetensorsTensor(tensorName, decoded.tensors[tensorName]!);
    }
  } catch (err) {
    tf.dispose(Object.values(tensors));
    throw new CheckpointError(path, `could not be loaded: ${messageOf(err)}`, 'unsupported', { cause: err });
  }
  return { tensors, metadata: manifest.metadata as CheckpointMetadata, manifest, path };
}

/**
 * Every checkpoint in `dir`, sorted by name, each with its manifest or the reason it cannot be used
 * (unreadable manifest, tensors without a manifest). Checksums are not verified here; loadCheckpoint does
 * that. A directory that does not exist holds no checkpoints.
 */
export async function listCheckpoints(dir: string): Promise<CheckpointListing[]> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return [];
    throw new CheckpointError(dir, `could not be listed: ${messageOf(err)}`, 'io', {
      subject: 'checkpoint directory',
      cause: err,
    });
  }
  const names = new Set<string>();
  for (const file of files) {
    if (file.startsWith('.')) continue; // temporaries of saves in progress or abandoned
    for (const suffix of [MANIFEST_SUFFIX, TENSORS_SUFFIX]) {
      const stem = file.slice(0, -suffix.length);
      if (file.endsWith(suffix) && NAME_PATTERN.test(stem)) names.add(stem);
    }
  }
  const listings: CheckpointListing[] = [];
  for (const name of [...names].sort(compareUtf8)) {
    try {
      listings.push({ name, ok: true, manifest: await readManifest(dir, name) });
    } catch (err) {
      listings.push({ name, ok: false, problem: messageOf(err) });
    }
  }
  return listings;
}

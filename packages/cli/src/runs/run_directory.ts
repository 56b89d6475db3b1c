// The layout of a run directory, and the checks made before anything is written into one.
//
//   <dir>/config.json         the resolved config, whole
//   <dir>/manifest.json       experiment, preset, versions, backend and why, seed, git commit, times, status
//   <dir>/metrics.jsonl       one JSON object per emitted event, each with a timestamp
//   <dir>/checkpoints/        <name>.safetensors + <name>.manifest.json (core's checkpoint format)
//   <dir>/results/<name>.json results of finished parts of the experiment
//   <dir>/report.json, report.md
import { constants } from 'node:fs';
import { access, readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { RunFileError, errorCode, messageOf } from './errors.ts';
import { parseJsonText } from './json_text.ts';
import { RUN_MANIFEST_FORMAT_VERSION, runManifestSchema, type RunManifest } from './run_manifest.ts';

export interface RunPaths {
  dir: string;
  config: string;
  manifest: string;
  metrics: string;
  /** Lines of metrics.jsonl that a resume dropped (work redone after a crash), kept rather than deleted. */
  supersededMetrics: string;
  checkpoints: string;
  results: string;
  reportJson: string;
  reportMarkdown: string;
}

export function runPaths(dir: string): RunPaths {
  return {
    dir,
    config: join(dir, 'config.json'),
    manifest: join(dir, 'manifest.json'),
    metrics: join(dir, 'metrics.jsonl'),
    supersededMetrics: join(dir, 'metrics.superseded.jsonl'),
    checkpoints: join(dir, 'checkpoints'),
    results: join(dir, 'results'),
    reportJson: join(dir, 'report.json'),
    reportMarkdown: join(dir, 'report.md'),
  };
}

/** Checkpoint and result names become paths: `routed/seed-1` is allowed, `../x` or `a b` are not. */
const NAME_PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function nameParts(kind: 'checkpoint' | 'result', name: string): string[] {
  const parts = name.split('/');
  if (!parts.every((p) => NAME_PART.test(p))) {
    throw new RangeError(
      `${kind} name ${JSON.stringify(name)}: each /-separated part must match ${NAME_PART} (names become file paths)`,
    );
  }
  return parts;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `runs/<experiment>-<preset>-<yyyymmdd-hhmmss>` (local time), relative to `root`. */
export function defaultRunDir(root: string, experimentId: string, preset: string, now = new Date()): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
  const stamp =
    `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-` +
    `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return join(root, `${safe(experimentId)}-${safe(preset)}-${stamp}`);
}

async function entriesOf(dir: string): Promise<string[] | undefined> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Checks that a new run may use `dir` (absent, or an empty directory) and that it can be created and written,
 * without creating anything. For a default name (`unique`), a taken name gets a `-2`, `-3`... suffix instead.
 * Returns the directory to use, absolute.
 */
export async function checkNewRunDir(dir: string, options: { unique: boolean }): Promise<string> {
  let candidate = resolve(dir);
  for (let n = 2; ; n++) {
    let entries: string[] | undefined;
    try {
      entries = (await stat(candidate)).isDirectory() ? await readdir(candidate) : undefined;
      if (entries === undefined) throw new UsageError(`--out ${dir}: exists and is not a directory`);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      // ENOTDIR: an ancestor is a file; checkWritable names it.
      if (errorCode(err) !== 'ENOENT' && errorCode(err) !== 'ENOTDIR') {
        throw new UsageError(`--out ${dir}: cannot be read: ${messageOf(err)}`);
      }
    }
    if (entries === undefined || entries.length === 0) break;
    if (options.unique) {
      candidate = `${resolve(dir)}-${n}`;
      continue;
    }
    if (entries.includes('manifest.json')) {
      const status = await readRunManifest(candidate).then(
        (m) => m.status,
        () => undefined,
      );
      if (status !== undefined && status !== 'finished') {
        throw new UsageError(
          `--out ${dir}: already holds a run (status ${status}); continue it with: routelab resume ${dir}`,
        );
      }
      throw new UsageError(`--out ${dir}: already holds a run${status ? ` (status ${status})` : ''}; choose another directory`);
    }
    throw new UsageError(`--out ${dir}: exists and is not empty; choose another directory`);
  }
  await checkWritable(candidate, dir);
  return candidate;
}

/** The directory itself if it exists, else its nearest existing ancestor, must be a writable directory. */
async function checkWritable(absolute: string, shown: string): Promise<void> {
  let probe = absolute;
  for (;;) {
    try {
      const info = await stat(probe);
      if (!info.isDirectory()) throw new UsageError(`--out ${shown}: ${probe} is not a directory`);
      break;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      const absent = errorCode(err) === 'ENOENT' || errorCode(err) === 'ENOTDIR';
      if (!absent || dirname(probe) === probe) {
        throw new UsageError(`--out ${shown}: cannot use ${probe}: ${messageOf(err)}`);
      }
      probe = dirname(probe);
    }
  }
  try {
    await access(probe, constants.W_OK | constants.X_OK);
  } catch {
    throw new UsageError(`--out ${shown}: cannot create the run directory: ${probe} is not writable`);
  }
}

/** Reads and validates manifest.json; RunFileError (naming the file) when it is unreadable or malformed. */
export async function readRunManifest(dir: string): Promise<RunManifest> {
  const path = runPaths(dir).manifest;
  const json = await readJsonFile(path);
  const version = (json as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version > RUN_MANIFEST_FORMAT_VERSION) {
    throw new RunFileError(path, `has format version ${version}; this routelab reads up to ${RUN_MANIFEST_FORMAT_VERSION}`);
  }
  const parsed = runManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new RunFileError(path, `is not a valid run manifest: ${issues}`);
  }
  return parsed.data;
}

export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new RunFileError(path, errorCode(err) === 'ENOENT' ? 'is missing' : `cannot be read: ${messageOf(err)}`, { cause: err });
  }
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new RunFileError(path, `is malformed: not valid JSON: ${parsed.problem}`);
  return parsed.value;
}

/** Fails with a UsageError unless `dir` is a directory holding a manifest.json. */
export async function checkIsRunDir(dir: string): Promise<void> {
  let info;
  try {
    info = await stat(dir);
  } catch (err) {
    const why = errorCode(err) === 'ENOENT' ? 'no such directory' : messageOf(err);
    throw new UsageError(`cannot resume ${dir}: ${why}`);
  }
  if (!info.isDirectory()) throw new UsageError(`cannot resume ${dir}: not a directory`);
  const entries = (await entriesOf(dir)) ?? [];
  if (!entries.includes('manifest.json')) {
    throw new UsageError(`cannot resume ${dir}: not a routelab run directory (no manifest.json in it)`);
  }
  try {
    await access(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw new UsageError(`cannot resume ${dir}: the directory is not writable`);
  }
}

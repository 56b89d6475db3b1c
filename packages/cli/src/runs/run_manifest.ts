// manifest.json of a run directory: what ran, where, on what, and how it ended. Rewritten atomically on every
// change of status (and after every checkpoint, to record how much of metrics.jsonl that checkpoint covers).
import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKEND_NAMES, writeFileAtomic } from '@routelab/core';
import { z } from 'zod';
import { toJsonText } from './json_text.ts';

export const RUN_MANIFEST_FORMAT = 'routelab.run';
export const RUN_MANIFEST_FORMAT_VERSION = 1;
export const RUN_STATUSES = ['running', 'interrupted', 'failed', 'finished'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const runManifestSchema = z.object({
  format: z.literal(RUN_MANIFEST_FORMAT),
  formatVersion: z.number().int().positive(),
  experiment: z.string().min(1),
  preset: z.string(),
  /** Version of @routelab/cli (packages/cli/package.json). */
  routelabVersion: z.string(),
  node: z.string(),
  platform: z.string(),
  backend: z.object({
    /** What was asked for: a backend name or 'auto'. */
    requested: z.string(),
    chosen: z.enum(BACKEND_NAMES),
    /** Why it was chosen, in words (auto's measurements, or "requested by name"). */
    reason: z.string(),
  }),
  /** The base seed handed to the experiment as RunContext.seed. */
  seed: z.number().int(),
  /** HEAD of the routelab checkout that ran, or null outside a git checkout. */
  gitCommit: z.string().nullable(),
  startedAt: z.iso.datetime(),
  /** When the last process working on the run stopped (finished, interrupted or failed); null while running. */
  finishedAt: z.iso.datetime().nullable(),
  status: z.enum(RUN_STATUSES),
  /** The experiment's error message when status is failed. */
  error: z.string().optional(),
  /** The process running it (to tell a live run from a crashed one on resume). */
  pid: z.number().int(),
  host: z.string(),
  /** Lines of metrics.jsonl covered by the last checkpoint or result saved; resume drops lines past it. */
  metricsLines: z.number().int().nonnegative(),
  resumes: z.array(z.object({ at: z.iso.datetime(), fromStatus: z.enum(RUN_STATUSES), pid: z.number().int() })),
  /** Absolute paths of the plugin modules loaded for the run (resume loads them again). */
  plugins: z.array(z.string()).default([]),
});

export type RunManifest = z.infer<typeof runManifestSchema>;

const cliPackageJson = fileURLToPath(new URL('../../package.json', import.meta.url));

export function routelabVersion(): string {
  const pkg = JSON.parse(readFileSync(cliPackageJson, 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/** HEAD of the checkout this code runs from, or null (not a git checkout, no git installed). */
export function gitCommit(): string | null {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: dirname(cliPackageJson),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
    return /^[0-9a-f]{40,64}$/.test(out) ? out : null;
  } catch {
    return null;
  }
}

export function describeEnvironment(): Pick<RunManifest, 'routelabVersion' | 'node' | 'platform' | 'gitCommit' | 'pid' | 'host'> {
  return {
    routelabVersion: routelabVersion(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    gitCommit: gitCommit(),
    pid: process.pid,
    host: hostname(),
  };
}

/**
 * Owns manifest.json while a run is in progress: updates are applied in order (each one an atomic write),
 * and `writeNowSync` is there for the one place that cannot wait, a second Ctrl-C about to exit.
 */
export class ManifestStore {
  private pending: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private current: RunManifest,
  ) {}

  get manifest(): RunManifest {
    return this.current;
  }

  update(patch: Partial<RunManifest>): Promise<void> {
    this.current = { ...this.current, ...patch };
    const text = toJsonText(this.current);
    const write = this.pending.then(() => writeFileAtomic(this.path, new TextEncoder().encode(text)));
    this.pending = write.catch(() => undefined);
    return write;
  }

  writeNowSync(patch: Partial<RunManifest>): void {
    this.current = { ...this.current, ...patch };
    writeFileAtomicSync(this.path, toJsonText(this.current));
  }
}

/** Temporary file, fsync, rename: the synchronous twin of core's writeFileAtomic. */
export function writeFileAtomicSync(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-sync`);
  try {
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    throw err;
  }
}

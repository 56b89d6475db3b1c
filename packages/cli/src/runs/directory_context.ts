// A RunContext backed by a run directory: emit -> metrics.jsonl, checkpoints -> checkpoints/ (core's
// safetensors format, the JSON state kept in the checkpoint's metadata), results -> results/<name>.json.
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import {
  CheckpointError,
  checkpointPaths,
  listCheckpoints,
  loadCheckpoint,
  saveCheckpoint,
  tf,
  writeFileAtomic,
} from '@routelab/core';
import type { BackendName, CheckpointPayload, RunContext } from '@routelab/core';
import { RunFileError, errorCode, messageOf } from './errors.ts';
import { assertExactJson, isPlainObject, parseJsonText, toJsonText } from './json_text.ts';
import type { MetricsLog } from './metrics_log.ts';
import type { ProgressReporter } from './progress_reporter.ts';
import { nameParts, type RunPaths } from './run_directory.ts';

export interface DirectoryContextOptions {
  paths: RunPaths;
  backend: BackendName;
  seed: number;
  metrics: MetricsLog;
  progress: ProgressReporter;
  stopRequested(): boolean;
  /** Called after each checkpoint or result is durably saved (the runner records the metrics mark). */
  onSaved(): Promise<void>;
}

/** What the runner stores in a checkpoint's metadata beside the experiment's state. */
interface CheckpointMetadataLayout {
  state: Record<string, unknown>;
  /** Lines in metrics.jsonl when the checkpoint was taken. */
  metricsLines: number;
}

function checkpointLocation(paths: RunPaths, name: string): { dir: string; base: string } {
  const parts = nameParts('checkpoint', name);
  return { dir: join(paths.checkpoints, ...parts.slice(0, -1)), base: parts[parts.length - 1]! };
}

function resultPath(paths: RunPaths, name: string): string {
  const parts = nameParts('result', name);
  return `${join(paths.results, ...parts)}.json`;
}

export function createDirectoryContext(options: DirectoryContextOptions): RunContext {
  const { paths, metrics } = options;
  return {
    backend: options.backend,
    seed: options.seed,
    emit: (event) => metrics.append(event),
    progress: (update) => options.progress.update(update),
    stopRequested: () => options.stopRequested(),

    async saveCheckpoint(name: string, payload: CheckpointPayload): Promise<void> {
      const { dir, base } = checkpointLocation(paths, name);
      assertExactJson(payload.state, `checkpoint "${name}": state`);
      const metadata: CheckpointMetadataLayout = { state: payload.state, metricsLines: metrics.lines };
      // Lines emitted before the checkpoint must be on disk before a checkpoint that vouches for them.
      metrics.sync();
      await saveCheckpoint(dir, base, payload.tensors, JSON.parse(JSON.stringify(metadata)));
      await options.onSaved();
    },

    async loadCheckpoint(name: string): Promise<CheckpointPayload | undefined> {
      const { dir, base } = checkpointLocation(paths, name);
      try {
        const loaded = await loadCheckpoint(dir, base);
        const metadata = loaded.metadata as unknown as Partial<CheckpointMetadataLayout>;
        return { tensors: loaded.tensors, state: isPlainObject(metadata.state) ? metadata.state : {} };
      } catch (err) {
        // No manifest: never saved (or the first save never completed), so the experiment starts fresh.
        if (isMissingManifest(err, dir, base)) return undefined;
        throw err;
      }
    },

    async saveResult(name: string, result: unknown): Promise<void> {
      const path = resultPath(paths, name);
      await mkdir(dirname(path), { recursive: true });
      metrics.sync();
      await writeFileAtomic(path, new TextEncoder().encode(toJsonText(result)));
      await options.onSaved();
    },

    async loadResult<T>(name: string): Promise<T | undefined> {
      const path = resultPath(paths, name);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if (errorCode(err) === 'ENOENT') return undefined;
        throw new RunFileError(path, `cannot be read: ${messageOf(err)}`, { cause: err });
      }
      const parsed = parseJsonText(text);
      if (!parsed.ok) throw new RunFileError(path, `is malformed: not valid JSON: ${parsed.problem}`);
      return parsed.value as T;
    },
  };
}

function isMissingManifest(err: unknown, dir: string, base: string): boolean {
  return err instanceof CheckpointError && err.kind === 'missing' && err.path === checkpointPaths(dir, base).manifestPath;
}

async function subdirectories(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return [];
    throw err;
  }
  const nested = await Promise.all(
    entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => subdirectories(join(dir, e.name))),
  );
  return [dir, ...nested.flat()];
}

/**
 * Before a resume writes anything: loads every checkpoint of the run (size, checksum, safetensors structure;
 * core's CheckpointError names the bad file) and returns the highest metrics mark they record.
 */
export async function verifyCheckpoints(paths: RunPaths): Promise<{ checked: string[]; metricsMark: number }> {
  const checked: string[] = [];
  let metricsMark = 0;
  try {
    await stat(paths.checkpoints);
  } catch {
    return { checked, metricsMark };
  }
  for (const dir of await subdirectories(paths.checkpoints)) {
    for (const listing of await listCheckpoints(dir)) {
      let loaded;
      try {
        loaded = await loadCheckpoint(dir, listing.name);
      } catch (err) {
        if (isMissingManifest(err, dir, listing.name)) continue;
        throw err;
      }
      tf.dispose(Object.values(loaded.tensors));
      const mark = (loaded.metadata as { metricsLines?: unknown }).metricsLines;
      if (typeof mark === 'number' && mark > metricsMark) metricsMark = mark;
      checked.push(relative(paths.checkpoints, join(dir, listing.name)));
    }
  }
  return { checked, metricsMark };
}

// An in-memory RunContext for tests and scripts, with a run directory's semantics where resume depends on
// them: checkpoints and results live in a store that a later context can share (a "run directory"),
// tensors are copied in and out as through a file, results go through JSON, and a resumed context drops
// the metrics emitted after the last save (the CLI truncates metrics.jsonl to the last checkpoint's mark).
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../backends/backend_types.ts';
import type { CheckpointPayload, MetricEvent, ProgressUpdate, RunContext } from '../run/run_context.ts';

interface StoredTensor {
  values: Float32Array;
  shape: number[];
}

export interface FakeStore {
  checkpoints: Map<string, { tensors: Map<string, StoredTensor>; state: string }>;
  results: Map<string, string>;
  /** Every event emitted (as JSON), in order. */
  metrics: string[];
  /** metrics.length at the last checkpoint or result save. */
  metricsMark: number;
}

export function createStore(): FakeStore {
  return { checkpoints: new Map(), results: new Map(), metrics: [], metricsMark: 0 };
}

export interface FakeContextOptions {
  backend: BackendName;
  seed?: number;
  /** Shared with an earlier context to resume its run. */
  store?: FakeStore;
  /** Asked on every stopRequested(); once it returns true the stop stays requested (like a signal). */
  stopWhen?: (progress: readonly ProgressUpdate[]) => boolean;
  /** Called on every progress update (e.g. to print phases). */
  onProgress?: (update: ProgressUpdate) => void;
}

export interface FakeContext extends RunContext {
  store: FakeStore;
  progressUpdates: ProgressUpdate[];
  checkpointSaves: number;
  events(): MetricEvent[];
}

export function createFakeContext(options: FakeContextOptions): FakeContext {
  const store = options.store ?? createStore();
  store.metrics.length = store.metricsMark;
  let stopped = false;
  const ctx: FakeContext = {
    backend: options.backend,
    seed: options.seed ?? 0,
    store,
    progressUpdates: [],
    checkpointSaves: 0,
    events: () => store.metrics.map((line) => JSON.parse(line) as MetricEvent),
    emit(event) {
      store.metrics.push(JSON.stringify(event));
    },
    progress(update) {
      ctx.progressUpdates.push(update);
      options.onProgress?.(update);
    },
    stopRequested() {
      stopped ||= options.stopWhen?.(ctx.progressUpdates) ?? false;
      return stopped;
    },
    async saveCheckpoint(name: string, payload: CheckpointPayload) {
      const tensors = new Map<string, StoredTensor>();
      for (const [key, t] of Object.entries(payload.tensors)) tensors.set(key, { values: Float32Array.from(await t.data()), shape: [...t.shape] });
      store.checkpoints.set(name, { tensors, state: JSON.stringify(payload.state) });
      store.metricsMark = store.metrics.length;
      ctx.checkpointSaves++;
    },
    async loadCheckpoint(name: string) {
      const saved = store.checkpoints.get(name);
      if (!saved) return undefined;
      const tensors = Object.fromEntries([...saved.tensors].map(([key, t]) => [key, tf.tensor(t.values, t.shape)]));
      return { tensors, state: JSON.parse(saved.state) as Record<string, unknown> };
    },
    async saveResult(name: string, result: unknown) {
      store.results.set(name, JSON.stringify(result));
      store.metricsMark = store.metrics.length;
    },
    async loadResult<T>(name: string) {
      const saved = store.results.get(name);
      return saved === undefined ? undefined : (JSON.parse(saved) as T);
    },
  };
  return ctx;
}

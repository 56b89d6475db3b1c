// Runs an experiment's pending parts (Experiment.parts) on the worker pool, each against the run
// directory's RunContext through a PartHost. Afterwards the experiment's run() finds every part's results
// saved and only builds the report. A part that fails leaves the others to finish; then the run fails,
// naming it. A stop request reaches running parts, which checkpoint; the run is then interrupted.
//
// Metrics lines of parallel parts interleave in metrics.jsonl (each line names its cell). A clean stop
// checkpoints every running part after its last line; after a crash, lines a part wrote past its own last
// checkpoint but before another part's later checkpoint are kept, and the resumed part writes them again.
import { StopRequested } from '@routelab/core';
import type { AnyExperiment } from '../experiments.ts';
import type { BackendName, ProgressUpdate, RunContext } from '@routelab/core';
import { runPool } from '../pool/worker_pool.ts';
import { createPartHost } from './part_host.ts';
import type { PartSpec } from './part_worker.ts';

export interface RunPartsOptions {
  experiment: AnyExperiment;
  config: unknown;
  parts: string[];
  ctx: RunContext;
  workers: number;
  backend: BackendName;
  plugins: string[];
  onProgress: (part: string, update: ProgressUpdate) => void;
  stopRequested: () => boolean;
}

export async function runPartsOnPool(o: RunPartsOptions): Promise<void> {
  const tasks = o.parts.map((part) => ({
    id: part,
    spec: { experiment: o.experiment.id, part, config: o.config, seed: o.ctx.seed, backend: o.backend, plugins: o.plugins } satisfies PartSpec,
  }));
  const host = createPartHost(o.ctx);
  const outcomes = await runPool<PartSpec, void>(tasks, {
    workerModule: new URL('./part_worker.ts', import.meta.url),
    workers: o.workers,
    onProgress: o.onProgress,
    stopRequested: o.stopRequested,
    host: () => host,
  });
  const failed = outcomes.filter((x) => x.status === 'failed');
  if (failed.length > 0) {
    throw new Error(failed.map((x) => `part ${x.id}: ${x.status === 'failed' ? x.error : ''}`).join('; '));
  }
  if (outcomes.some((x) => x.status === 'stopped')) throw new StopRequested();
}

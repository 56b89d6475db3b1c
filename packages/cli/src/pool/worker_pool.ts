// Runs cells in parallel worker threads (default: one per core), each cell in a worker that exposes
// CellWorker through comlink. A worker that crashes marks its cell failed with the error and is replaced;
// the other cells carry on. Outcomes come back in task order.
import * as Comlink from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ProgressUpdate } from '@routelab/core';
import type { CellWorker } from './cell_protocol.ts';

export interface CellTask<Spec> {
  id: string;
  spec: Spec;
}

export type CellOutcome<Result> =
  | { id: string; status: 'finished'; result: Result }
  | { id: string; status: 'failed'; error: string }
  | { id: string; status: 'stopped' };

export interface PoolOptions {
  /** Module that calls exposeCell (a .ts file: workers run through tsx). */
  workerModule: URL;
  workers?: number;
  onProgress?: (id: string, update: ProgressUpdate) => void;
  onOutcome?: (outcome: CellOutcome<unknown>) => void;
  /** Polled between cells and forwarded to running cells: once true, no new cell starts. */
  stopRequested?: () => boolean;
  /** An object each cell may call back into on this thread (e.g. its run directory), made per cell. */
  host?: (id: string) => object;
}

export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism());
}

const BOOTSTRAP = new URL('./ts_worker_bootstrap.mjs', import.meta.url);

interface PoolWorker<Spec, Result> {
  worker: Worker;
  /**
   * One comlink proxy for the worker's whole life. A proxy per cell would be garbage-collected between cells,
   * and comlink then sends the worker a release message that removes its only listener: the worker's event
   * loop empties and it exits (code 0) under the next cell.
   */
  remote: Comlink.Remote<CellWorker<Spec, Result>>;
}

function startWorker<Spec, Result>(module: URL): PoolWorker<Spec, Result> {
  const worker = new Worker(BOOTSTRAP, { workerData: { routelabWorkerModule: module.href }, env: process.env });
  return { worker, remote: Comlink.wrap<CellWorker<Spec, Result>>(nodeEndpoint(worker)) };
}

/** Runs one cell on one worker; resolves with its outcome (never rejects). */
function runOnWorker<Spec, Result>(
  { worker, remote }: PoolWorker<Spec, Result>,
  task: CellTask<Spec>,
  options: PoolOptions,
): Promise<CellOutcome<Result>> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: CellOutcome<Result>) => {
      if (settled) return;
      settled = true;
      clearInterval(stopPoll);
      worker.off('error', onError);
      worker.off('exit', onExit);
      resolve(outcome);
    };
    const onError = (err: Error) => settle({ id: task.id, status: 'failed', error: `worker crashed: ${err.message}` });
    const onExit = (code: number) => settle({ id: task.id, status: 'failed', error: `worker exited with code ${code}` });
    worker.on('error', onError);
    worker.on('exit', onExit);
    const stopPoll = setInterval(() => {
      if (options.stopRequested?.()) void remote.requestStop();
    }, 200);
    const progress = Comlink.proxy((u: ProgressUpdate) => options.onProgress?.(task.id, u));
    const host = options.host ? Comlink.proxy(options.host(task.id)) : undefined;
    remote.run(task.spec as Comlink.UnproxyOrClone<Spec>, progress, host).then(
      (result) => settle({ id: task.id, status: 'finished', result: result as Result }),
      (err: Error) =>
        settle(
          err?.name === 'StopRequested'
            ? { id: task.id, status: 'stopped' }
            : { id: task.id, status: 'failed', error: err?.message ?? String(err) },
        ),
    );
  });
}

export async function runPool<Spec, Result>(
  tasks: readonly CellTask<Spec>[],
  options: PoolOptions,
): Promise<CellOutcome<Result>[]> {
  const outcomes = new Map<string, CellOutcome<Result>>();
  let next = 0;
  const lane = async (): Promise<void> => {
    let worker: PoolWorker<Spec, Result> | undefined;
    try {
      while (next < tasks.length) {
        const task = tasks[next++]!;
        if (options.stopRequested?.()) {
          outcomes.set(task.id, { id: task.id, status: 'stopped' });
          continue;
        }
        worker ??= startWorker<Spec, Result>(options.workerModule);
        const outcome = await runOnWorker<Spec, Result>(worker, task, options);
        outcomes.set(task.id, outcome);
        options.onOutcome?.(outcome);
        if (outcome.status === 'failed' && /^worker (crashed|exited)/.test(outcome.error)) {
          await worker.worker.terminate();
          worker = undefined; // a fresh one for the next cell
        }
      }
    } finally {
      await worker?.worker.terminate();
    }
  };
  const count = Math.min(options.workers ?? defaultWorkerCount(), Math.max(tasks.length, 1));
  await Promise.all(Array.from({ length: count }, lane));
  return tasks.map((t) => outcomes.get(t.id)!);
}

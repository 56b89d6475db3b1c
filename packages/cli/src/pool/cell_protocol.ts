// What a pool worker exposes over comlink: run one cell (an arm x seed, a sweep point...) with progress
// reported back through a proxied callback, and a stop request that the cell honours at its next step.
import * as Comlink from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { parentPort } from 'node:worker_threads';
import type { ProgressUpdate } from '@routelab/core';

export interface CellWorker<Spec, Result> {
  run(spec: Spec, onProgress: (update: ProgressUpdate) => void): Promise<Result>;
  requestStop(): void;
}

/** In a worker module: serves `handler` to the pool. `stopRequested()` tells the handler to wind down. */
export function exposeCell<Spec, Result>(
  handler: (spec: Spec, ctx: { onProgress: (u: ProgressUpdate) => void; stopRequested: () => boolean }) => Promise<Result>,
): void {
  if (!parentPort) throw new Error('exposeCell must be called inside a worker thread');
  let stop = false;
  const api: CellWorker<Spec, Result> = {
    run: (spec, onProgress) => handler(spec, { onProgress, stopRequested: () => stop }),
    requestStop: () => {
      stop = true;
    },
  };
  Comlink.expose(api, nodeEndpoint(parentPort));
}

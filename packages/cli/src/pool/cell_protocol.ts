// What a pool worker exposes over comlink: run one cell (an arm x seed, a sweep point...) with progress
// reported back through a proxied callback, and a stop request that the cell honours at its next step.
// A pool may also hand each cell a host object (proxied: its methods run on the main thread, asynchronously).
import * as Comlink from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { parentPort } from 'node:worker_threads';
import type { ProgressUpdate } from '@routelab/core';

export interface CellWorker<Spec, Result> {
  run(spec: Spec, onProgress: (update: ProgressUpdate) => void, host?: unknown): Promise<Result>;
  requestStop(): void;
}

/** In a worker module: serves `handler` to the pool. `stopRequested()` tells the handler to wind down. */
export interface CellContext<Host> {
  onProgress: (u: ProgressUpdate) => void;
  stopRequested: () => boolean;
  /** The pool's host object for this cell (PoolOptions.host), its methods made async by comlink. */
  host: Comlink.Remote<Host> | undefined;
}

export function exposeCell<Spec, Result, Host = never>(handler: (spec: Spec, ctx: CellContext<Host>) => Promise<Result>): void {
  if (!parentPort) throw new Error('exposeCell must be called inside a worker thread');
  let stop = false;
  const api: CellWorker<Spec, Result> = {
    run: (spec, onProgress, host) =>
      handler(spec, { onProgress, stopRequested: () => stop, host: host as Comlink.Remote<Host> | undefined }),
    requestStop: () => {
      stop = true;
    },
  };
  Comlink.expose(api, nodeEndpoint(parentPort));
}

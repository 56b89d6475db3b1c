// The page's side of the sampling worker: one module worker per Sample page, wrapped by comlink.
import * as Comlink from 'comlink';
import type { SampleWorkerApi } from './protocol.ts';

export interface SampleWorker {
  api: Comlink.Remote<SampleWorkerApi>;
  terminate(): void;
}

export function startSampleWorker(): SampleWorker {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'routelab-sampler' });
  return { api: Comlink.wrap<SampleWorkerApi>(worker), terminate: () => worker.terminate() };
}

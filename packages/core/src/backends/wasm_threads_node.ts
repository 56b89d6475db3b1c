// tfjs-backend-wasm ships a threaded build (XNNPACK on a pthreadpool), but its own loader never uses it in
// Node (tfjs issue 3830), so in Node every wasm op runs on one core. This module loads that build itself:
// - the package's pthread worker script is a CommonJS module that only *exports* the script as a string, so
//   the string is written once to a file in the temp directory and Emscripten starts its workers from it;
// - tfjs sizes its thread pool as min(requested, logical cores / 2) (it assumes two hyperthreads per core),
//   so the instance is told there are twice as many cores as threads wanted;
// - pthread workers would keep Node's event loop alive after the work is done, so they are unref'd, and the
//   ones the pool does not use are stopped.
// The result is registered as the 'wasm' backend, so every kernel registered for wasm (tfjs's and ours) runs
// on it unchanged. If anything fails, tfjs's own single-threaded loader takes over and the reason is kept.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';

export const WASM_THREADS_ENV = 'ROUTELAB_WASM_THREADS';
/** tfjs's threaded build pre-creates this many pthread workers; its pool cannot use more. */
export const MAX_WASM_THREADS = 8;

/**
 * Threads for the wasm backend: ROUTELAB_WASM_THREADS when set; otherwise one per core on the main thread
 * and 1 in a worker thread (pools of workers, e.g. `routelab compare`, already use every core).
 */
export function wasmThreadsWanted(env: Record<string, string | undefined> = process.env, mainThread = isMainThread): number {
  const text = env[WASM_THREADS_ENV]?.trim();
  if (!text) return mainThread ? Math.min(MAX_WASM_THREADS, availableParallelism()) : 1;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(`${WASM_THREADS_ENV}="${text}": expected a positive integer (threads for the wasm backend)`);
  }
  return Math.min(n, MAX_WASM_THREADS);
}

type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm');

/** The Emscripten module, as far as this loader and BackendWasm's constructor use it. */
interface ThreadedModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: unknown[]) => unknown;
  PThread: { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void; terminate(): void }[] };
  tfjs?: Record<string, unknown>;
}
type ThreadedFactory = (config: Record<string, unknown>) => Promise<ThreadedModule>;
interface InstantiateInfo {
  env: Record<string, unknown>;
}

/** Writes the pthread worker script where Node can start it (once per content; atomic against races). */
async function pthreadWorkerFile(contents: string): Promise<string> {
  // tfjs's browser loader escapes newlines the same way before making a Blob of it: the exported string
  // holds "\n" escapes that must stay escapes inside the script's string literals.
  const script = contents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(script).digest('hex').slice(0, 16);
  const file = join(tmpdir(), `routelab-tfjs-wasm-pthread-${hash}.cjs`);
  if (!existsSync(file)) {
    const partial = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(partial, script);
    await rename(partial, file);
  }
  return file;
}

async function createThreadedBackend(wasm: WasmPackage, threads: number): Promise<tf.KernelBackend> {
  const require = createRequire(import.meta.url);
  const outDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const mainScript = join(outDir, 'tfjs-backend-wasm-threaded-simd.js');
  const factory = require(mainScript) as ThreadedFactory;
  const { wasmWorkerContents } = require(join(outDir, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  const workerFile = await pthreadWorkerFile(wasmWorkerContents);
  const binary = await readFile(join(outDir, 'tfjs-backend-wasm-threaded-simd.wasm'));
  let failInstantiate: (err: unknown) => void = () => {};
  const instantiateFailed = new Promise<never>((_, reject) => (failInstantiate = reject));
  const module = await Promise.race([
    factory({
      locateFile: (path: string) => (path.endsWith('.worker.js') ? workerFile : join(outDir, path)),
      mainScriptUrlOrBlob: mainScript,
      instantiateWasm(info: InstantiateInfo, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) {
        info.env.emscripten_num_logical_cores = () => 2 * threads;
        WebAssembly.instantiate(binary, info as unknown as WebAssembly.Imports).then(
          ({ instance, module: compiled }) => receive(instance, compiled),
          failInstantiate,
        );
        return {};
      },
    }),
    instantiateFailed,
  ]);
  // The same bridge tfjs's loader builds (tfjs 4.22).
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  wasm.setThreadsCount(threads);
  const backend = new wasm.BackendWasm(module as never); // starts the XNNPACK pool's threads
  for (const worker of module.PThread.runningWorkers) worker.unref();
  // Emscripten starts 8 workers up front; the pool took what it needs. The rest would only hold memory (an
  // isolate each); Emscripten starts a new one should a thread ever be created later.
  for (const worker of module.PThread.unusedWorkers.splice(0)) worker.terminate();
  return backend;
}

export interface ThreadedWasmStatus {
  /** Threads the backend will use once created (1: tfjs's own single-threaded loader). */
  threads: number;
  /** Why the threaded build is not used, when it is not. */
  reason?: string;
}

const status: ThreadedWasmStatus = { threads: 1 };

/** What the last backend creation did (read it after the backend was initialised). */
export function threadedWasmStatus(): ThreadedWasmStatus {
  return { ...status };
}

/**
 * Makes 'wasm' load the threaded build with `threads` threads (no-op for 1, or once the backend exists).
 * Falls back to tfjs's single-threaded loader, recording why, if the threaded build cannot start.
 */
export function useThreadedWasm(wasm: WasmPackage, threads: number): void {
  if (threads <= 1 || tf.engine().registry.wasm !== undefined) return;
  const registered = (tf.engine() as unknown as { registryFactory: Record<string, { factory: () => Promise<tf.KernelBackend>; priority: number }> })
    .registryFactory.wasm;
  if (!registered) return;
  const original = registered.factory;
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      try {
        const backend = await createThreadedBackend(wasm, threads);
        status.threads = wasm.getThreadsCount();
        delete status.reason;
        return backend;
      } catch (err) {
        status.threads = 1;
        status.reason = `threaded wasm build failed to start (${err instanceof Error ? err.message : String(err)}); using one thread`;
        return original();
      }
    },
    registered.priority,
  );
}

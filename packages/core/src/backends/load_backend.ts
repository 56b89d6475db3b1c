// One loader per backend, in a table typed so that a backend without a loader is a compile error.
import './tfjs_setup.ts';
import * as tf from '@tensorflow/tfjs-core';
import { registerKernelsFor } from '../kernels/register_all_kernels.ts';
import { BACKEND_NAMES, UnknownBackendError } from './backend_types.ts';
import type { BackendLoader, BackendLoadResult, BackendName } from './backend_types.ts';
import { loadCpu } from './cpu_loader.ts';
import { loadTensorflow } from './tensorflow_loader.ts';
import { loadWasm } from './wasm_loader.ts';
import { loadWebGpu } from './webgpu_loader.ts';

const LOADERS: { [K in BackendName]: BackendLoader } = {
  webgpu: loadWebGpu,
  wasm: loadWasm,
  cpu: loadCpu,
  tensorflow: loadTensorflow,
};

const loaded = new Map<BackendName, Promise<BackendLoadResult>>();

export function isBackendName(name: string): name is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}

/** Loads (once) and registers a backend with tfjs, plus routelab's kernels for it. Never throws. */
export function loadBackend(name: BackendName): Promise<BackendLoadResult> {
  let pending = loaded.get(name);
  if (!pending) {
    pending = LOADERS[name]()
      .catch((err: unknown): BackendLoadResult => ({ name, available: false, reason: String(err) }))
      .then(async (result) => {
        if (result.available) await registerKernelsFor(name);
        return result;
      });
    loaded.set(name, pending);
  }
  return pending;
}

export async function loadAllBackends(): Promise<BackendLoadResult[]> {
  const results: BackendLoadResult[] = [];
  // Sequential: loaders touch global state (navigator, tfjs registry).
  for (const name of BACKEND_NAMES) results.push(await loadBackend(name));
  return results;
}

/** Loads `name` and makes it tfjs's active backend. Unknown or unavailable names throw with the list. */
export async function useBackend(name: string): Promise<BackendLoadResult & { available: true }> {
  if (!isBackendName(name)) {
    const available = (await loadAllBackends()).filter((r) => r.available).map((r) => r.name);
    throw new UnknownBackendError(name, available);
  }
  const result = await loadBackend(name);
  if (!result.available) {
    const available = (await loadAllBackends()).filter((r) => r.available).map((r) => r.name);
    throw new Error(`Backend "${name}" is not available: ${result.reason}. Available: ${available.join(', ')}.`);
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`Backend "${name}" was registered but failed to initialise.`);
  await tf.ready();
  return result;
}

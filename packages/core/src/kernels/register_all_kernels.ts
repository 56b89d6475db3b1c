// The only place where routelab's kernels are registered with tfjs. Each backend folder exports its
// KernelConfigs from index.ts; they are imported lazily so that loading one backend never pulls in another.
import { registerKernel, unregisterKernel, getKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import type { BackendName } from '../backends/backend_types.ts';

const KERNEL_MODULES: { [K in BackendName]: () => Promise<{ kernels: KernelConfig[] }> } = {
  webgpu: () => import('./webgpu/index.ts'),
  wasm: () => import('./wasm/index.ts'),
  cpu: () => import('./cpu/index.ts'),
  tensorflow: async () => ({ kernels: [] }), // composed ops only (ops/masked_update.ts falls back)
};

const registered = new Set<BackendName>();

/**
 * Registers routelab's kernels for one backend. A config whose name tfjs already has for that backend
 * (e.g. BatchMatMul on wasm) replaces it: routelab's version wraps or supersedes tfjs's own.
 */
export async function registerKernelsFor(backend: BackendName): Promise<void> {
  if (registered.has(backend)) return;
  registered.add(backend);
  const { kernels } = await KERNEL_MODULES[backend]();
  for (const config of kernels) {
    if (getKernel(config.kernelName, config.backendName)) unregisterKernel(config.kernelName, config.backendName);
    registerKernel(config);
  }
}

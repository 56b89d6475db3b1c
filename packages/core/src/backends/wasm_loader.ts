// Loads tfjs's wasm backend. In Node the .wasm files are read from the installed package; in a browser the
// page must call setWasmPaths (or serve them beside the bundle) before loading.
import type { BackendLoadResult } from './backend_types.ts';

export async function loadWasm(): Promise<BackendLoadResult> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (typeof process !== 'undefined' && process.versions?.node) {
      const { createRequire } = await import('node:module');
      const { dirname } = await import('node:path');
      const require = createRequire(import.meta.url);
      const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
      wasm.setWasmPaths(`${dist}/`);
    }
    return { name: 'wasm', available: true, detail: 'tfjs wasm backend (SIMD when the runtime supports it)' };
  } catch (err) {
    return { name: 'wasm', available: false, reason: `@tensorflow/tfjs-backend-wasm failed to load: ${String(err)}` };
  }
}

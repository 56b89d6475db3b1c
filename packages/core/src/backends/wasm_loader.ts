// Loads tfjs's wasm backend. In Node the .wasm files are read from the installed package, the backend uses
// tfjs's threaded build with one thread per core (wasm_threads_node.ts; ROUTELAB_WASM_THREADS sets the
// count), and matrix products go to OpenBLAS where routelab's native GEMM is built (native_blas_node.ts); in
// a browser the page must call setWasmPaths (or serve them beside the bundle) before loading.
import type { BackendLoadResult } from './backend_types.ts';

export async function loadWasm(): Promise<BackendLoadResult> {
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasm = await import('@tensorflow/tfjs-backend-wasm');
  } catch (err) {
    return { name: 'wasm', available: false, reason: `@tensorflow/tfjs-backend-wasm failed to load: ${String(err)}` };
  }
  if (typeof process === 'undefined' || !process.versions?.node) {
    return { name: 'wasm', available: true, detail: 'tfjs wasm backend (SIMD and threads where the browser allows)' };
  }
  const { createRequire } = await import('node:module');
  const { dirname } = await import('node:path');
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  wasm.setWasmPaths(`${dist}/`);
  // Not a static import: this module must stay loadable in browsers, and the threads module is Node's.
  const threadsModule = new URL('./wasm_threads_node.ts', import.meta.url).href;
  const { useThreadedWasm, wasmThreadsWanted, WASM_THREADS_ENV } = (await import(
    /* @vite-ignore */ threadsModule
  )) as typeof import('./wasm_threads_node.ts');
  let threads: number;
  try {
    threads = wasmThreadsWanted();
  } catch (err) {
    return { name: 'wasm', available: false, reason: (err as Error).message };
  }
  useThreadedWasm(wasm, threads);
  const how = threads > 1 ? `threaded build, ${threads} threads` : `one thread (set ${WASM_THREADS_ENV} for more)`;
  const blasModule = new URL('./native_blas_node.ts', import.meta.url).href;
  const { loadNativeBlas } = (await import(/* @vite-ignore */ blasModule)) as typeof import('./native_blas_node.ts');
  const { setNativeGemm } = await import('../kernels/wasm/native_gemm.ts');
  const blas = loadNativeBlas();
  // OpenBLAS follows the wasm thread policy: all cores from the main thread, one per worker thread (a pool of
  // workers already fills the cores, and OpenBLAS threads that outnumber the cores spin against each other).
  // Its count is process-wide: once a worker thread loads, products on the main thread also use one.
  blas.gemm?.setThreads(threads);
  setNativeGemm(blas.gemm);
  const products = blas.gemm
    ? `matrix products in OpenBLAS (native GEMM, ${blas.gemm.info().threads} threads)`
    : `matrix products in wasm (native GEMM ${blas.reason})`;
  return { name: 'wasm', available: true, detail: `tfjs wasm backend, SIMD, ${how}; ${products}` };
}

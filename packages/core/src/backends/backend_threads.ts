// How many threads the active backend computes on, where that is known (wasm: its XNNPACK pool).
import * as tf from '@tensorflow/tfjs-core';
import { wasmPoolThreads } from '../kernels/wasm/threaded_mat_mul_wasm.ts';
import { asWasmBackend } from '../kernels/wasm/wasm_heap.ts';

export function activeBackendThreads(): number | undefined {
  return tf.getBackend() === 'wasm' ? wasmPoolThreads(asWasmBackend(tf.backend())) : undefined;
}

// Plain [M, K] x [K, N] products on every core of tfjs's threaded wasm build.
//
// tfjs 4.22 multiplies through XNNPACK's fully-connected operator without passing it the thread pool, so a
// matMul uses one core however many threads the backend has; its convolutions do get the pool. A matMul is
// a 1x1 convolution over M pixels with K input and N output channels, but XNNPACK sends an unpadded 1x1
// convolution to that same GEMM path; with one pixel of padding on the right it takes the indirect GEMM,
// which runs on the pool. The padded pixel's output row (the last) is then dropped: the first M rows are
// contiguous, so the result is one copy of M x N floats inside the heap (a few ms next to the multiply).
import { Conv2D, getKernel } from '@tensorflow/tfjs-core';
import type { Conv2DAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { maskedUpdateOps } from './masked_update_module.ts';
import { wasmTensorData } from './wasm_heap.ts';
import type { WasmBackend } from './wasm_heap.ts';

/**
 * Products smaller than minWork multiply-adds stay on the single-threaded path (waking the pool costs more
 * than it saves). Mutable only so benchmarks can move it.
 */
export const threadedMatMulTuning = { minWork: 96 * 96 * 96 };

/** Products that went through threadedMatMul (tests and benchmarks check the path was taken). */
export const threadedMatMulStats = { calls: 0 };

const poolThreads = new WeakMap<WasmBackend, number>();

/** Threads in the backend's XNNPACK pool (1 for the single-threaded builds); fixed when the backend starts. */
export function wasmPoolThreads(backend: WasmBackend): number {
  let threads = poolThreads.get(backend);
  if (threads === undefined) {
    const count = (backend.wasm.tfjs as { getThreadsCount?: () => number }).getThreadsCount?.();
    threads = typeof count === 'number' && count > 0 ? count : 1;
    poolThreads.set(backend, threads);
  }
  return threads;
}

/** Whether a plain float32 [M, K] x [K, N] product should go through threadedMatMul. */
export function useThreadedMatMul(backend: WasmBackend, m: number, k: number, n: number): boolean {
  return m * k * n >= threadedMatMulTuning.minWork && wasmPoolThreads(backend) > 1 && getKernel(Conv2D, 'wasm') !== undefined;
}

/**
 * a: [..., M, K], b: [..., K, N] with every leading dimension 1 (float32, untransposed) -> a new tensor of
 * `outShape` ([..., M, N]).
 */
export function threadedMatMul(backend: WasmBackend, a: TensorInfo, b: TensorInfo, outShape: number[]): TensorInfo {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const conv = getKernel(Conv2D, 'wasm')!;
  threadedMatMulStats.calls++;
  // Views of the same data under NHWC shapes: one image, one row of M pixels; a 1x1 filter [1, 1, K, N].
  const x: TensorInfo = { dataId: a.dataId, shape: [1, 1, m, k], dtype: 'float32' };
  const filter: TensorInfo = { dataId: b.dataId, shape: [1, 1, k, n], dtype: 'float32' };
  const attrs: Conv2DAttrs = {
    strides: 1,
    pad: [[0, 0], [0, 0], [0, 1], [0, 0]],
    dataFormat: 'NHWC',
    dilations: 1,
  };
  const padded = conv.kernelFunc({ inputs: { x, filter }, backend: backend as never, attrs: attrs as never }) as TensorInfo; // [1, 1, M + 1, N]
  try {
    const out = backend.makeOutput(outShape, 'float32');
    maskedUpdateOps(backend).copy(wasmTensorData(backend, 'out', out).memoryOffset, wasmTensorData(backend, 'padded', padded).memoryOffset, m * n);
    return out;
  } finally {
    backend.disposeData(padded.dataId);
  }
}

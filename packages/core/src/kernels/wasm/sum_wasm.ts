// Sum on wasm. tfjs's kernel reduces innermost axes only, so a sum over leading axes (every bias gradient:
// dy [batch, n] summed over the batch) first transposes the whole input: 20% of a paper-size MNIST step.
// With the native GEMM, a float32 sum over a leading block of axes is instead one product in place:
// ones[1, rows] x x[rows, cols] -> [1, cols]. Everything else is tfjs's kernel.
import { Sum, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, SumAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { nativeGemm, nativeGemmStats } from './native_gemm.ts';
import { markAsWrapperOf, originalSum, requireOriginal } from './tfjs_wasm_originals.ts';
import { asWasmBackend, floatOffset, heapFloats } from './wasm_heap.ts';

/** The reduced axes as a sorted list with negatives resolved. */
function normalisedAxes(axis: number | number[], rank: number): number[] {
  return [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
}

const sumWasm: KernelFunc = (args) => {
  const original = requireOriginal(originalSum, Sum);
  const x = args.inputs.x as TensorInfo;
  const { axis, keepDims } = args.attrs as unknown as SumAttrs;
  const gemm = nativeGemm();
  const axes = normalisedAxes(axis, x.shape.length);
  // Only a leading block [0, k) with something left over, on float32: a row-major [rows, cols] reduction.
  const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
  if (!gemm || x.dtype !== 'float32' || !leading || util.sizeFromShape(x.shape) === 0) {
    return original.kernelFunc(args) as TensorInfo;
  }
  const backend = asWasmBackend(args.backend);
  const rows = util.sizeFromShape(x.shape.slice(0, axes.length));
  const rest = x.shape.slice(axes.length);
  const cols = util.sizeFromShape(rest);
  const out = backend.makeOutput(keepDims ? [...axes.map(() => 1), ...rest] : rest, 'float32');
  const ones = backend.makeOutput([rows], 'float32');
  try {
    const heap = heapFloats(backend);
    const onesAt = floatOffset(backend, 'ones', ones);
    heap.fill(1, onesAt, onesAt + rows);
    gemm.sgemm(heap, false, false, 1, cols, rows, onesAt, floatOffset(backend, 'x', x), floatOffset(backend, 'out', out));
    nativeGemmStats.calls++;
    return out;
  } finally {
    backend.disposeData(ones.dataId);
  }
};

export const sumWasmConfig: KernelConfig = {
  kernelName: Sum,
  backendName: 'wasm',
  // Replacing tfjs's config also replaces the setup that binds its C++ entry point; keep calling it.
  setupFunc: originalSum?.setupFunc,
  kernelFunc: markAsWrapperOf(sumWasm, originalSum),
};

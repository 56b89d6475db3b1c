// tfjs's wasm Slice and SplitV copy element by element: 3 ms for a [2048, 256] block of a [2048, 320] matrix
// and 0.6 ms for half of its rows (measured in Node, tfjs 4.22), where a row copy takes microseconds. The
// expanded MLP slices its hidden units in two every step and the gradient of every concatenation is a split,
// so those copies were a sizeable part of the expanded model's training step. Here both copy contiguous runs on
// the heap (typed-array set), every dtype tfjs keeps in a typed array.
import { backend_util, slice_util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { markAsWrapperOf, originalSlice, originalSplitV } from './tfjs_wasm_originals.ts';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** Copies the block at `begin` of `size` out of x into a new tensor. */
function sliceOnHeap(wasm: WasmBackendLike, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = wasm.makeOutput(size, x.dtype);
  if (size.some((s) => s === 0)) return out;
  const src = wasm.typedArrayFromHeap(x);
  const dst = wasm.typedArrayFromHeap(out);
  const shape = x.shape;
  const rank = shape.length;
  if (rank === 0) {
    dst[0] = src[0]!;
    return out;
  }
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1]! * shape[d + 1]!;
  // The copied runs: the last axis not taken whole, with every axis after it (taken whole).
  let last = rank - 1;
  while (last > 0 && begin[last] === 0 && size[last] === shape[last]) last--;
  const run = size[last]! * strides[last]!;
  const index = new Array<number>(last).fill(0);
  let to = 0;
  for (;;) {
    let from = begin[last]! * strides[last]!;
    for (let d = 0; d < last; d++) from += (begin[d]! + index[d]!) * strides[d]!;
    dst.set(src.subarray(from, from + run), to);
    to += run;
    let d = last - 1;
    while (d >= 0 && ++index[d]! === size[d]) index[d--] = 0;
    if (d < 0) break;
  }
  return out;
}

const sliceWasm: KernelFunc = ({ inputs, attrs, backend }) => {
  const x = inputs.x as TensorInfo;
  const { begin, size } = attrs as NamedAttrMap & { begin: number | number[]; size: number | number[] };
  const [b, s] = slice_util.parseSliceParams(x, begin, size);
  return sliceOnHeap(backend as unknown as WasmBackendLike, x, b!, s!);
};

const splitVWasm: KernelFunc = ({ inputs, attrs, backend }) => {
  const x = inputs.x as TensorInfo;
  const { numOrSizeSplits, axis } = attrs as NamedAttrMap & { numOrSizeSplits: number | number[]; axis: number };
  const ax = axis < 0 ? axis + x.shape.length : axis;
  const sizes = backend_util.prepareSplitSize(x, numOrSizeSplits, ax);
  const begin = x.shape.map(() => 0);
  return sizes.map((n) => {
    const size = [...x.shape];
    size[ax] = n;
    const part = sliceOnHeap(backend as unknown as WasmBackendLike, x, [...begin], size);
    begin[ax]! += n;
    return part;
  });
};

export const sliceWasmConfig: KernelConfig = {
  kernelName: 'Slice',
  backendName: 'wasm',
  // Replacing tfjs's config also replaces the setup that binds its C++ entry point; keep calling it.
  setupFunc: originalSlice?.setupFunc,
  kernelFunc: markAsWrapperOf(sliceWasm, originalSlice),
};

export const splitVWasmConfig: KernelConfig = {
  kernelName: 'SplitV',
  backendName: 'wasm',
  setupFunc: originalSplitV?.setupFunc,
  kernelFunc: markAsWrapperOf(splitVWasm, originalSplitV),
};

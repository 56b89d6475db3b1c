// tfjs's wasm GatherV2 takes about 1 ms to gather 256 rows of 64 floats (measured in Node, tfjs 4.22): a
// per-element loop where a row copy would do. Sampling gathers embedding rows every decoded token and the
// key/value cache's rows whenever a sequence finishes, so that cost was a sizeable part of a decode step.
// Here gathers without batch dimensions copy whole blocks on the heap (typed-array set); batchDims > 0 goes
// to tfjs's kernel.
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { markAsWrapperOf, originalGatherV2, requireOriginal } from './tfjs_wasm_originals.ts';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

const gatherWasm: KernelFunc = ({ inputs, attrs, backend }) => {
  const { axis, batchDims } = attrs as NamedAttrMap & { axis: number; batchDims: number };
  if (batchDims) return requireOriginal(originalGatherV2, 'GatherV2').kernelFunc({ inputs, attrs, backend });
  const wasm = backend as unknown as WasmBackendLike;
  const x = inputs.x as TensorInfo;
  const indices = inputs.indices as TensorInfo;
  const ax = axis < 0 ? axis + x.shape.length : axis;
  const dim = x.shape[ax]!;
  const outer = x.shape.slice(0, ax).reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(ax + 1).reduce((a, b) => a * b, 1);
  const out = wasm.makeOutput([...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)], x.dtype);
  const idx = wasm.typedArrayFromHeap(indices);
  const src = wasm.typedArrayFromHeap(x);
  const dst = wasm.typedArrayFromHeap(out);
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i]!;
    if (!(k >= 0 && k < dim)) throw new RangeError(`GatherV2: index ${k} at position ${i} is not in [0, ${dim - 1}]`);
  }
  for (let o = 0; o < outer; o++) {
    const from = o * dim * inner;
    const to = o * idx.length * inner;
    for (let i = 0; i < idx.length; i++) {
      const at = from + idx[i]! * inner;
      dst.set(src.subarray(at, at + inner), to + i * inner);
    }
  }
  return out;
};

export const gatherWasmConfig: KernelConfig = {
  kernelName: 'GatherV2',
  backendName: 'wasm',
  // Replacing tfjs's config also replaces the setup that binds its C++ entry point; keep calling it.
  setupFunc: originalGatherV2?.setupFunc,
  kernelFunc: markAsWrapperOf(gatherWasm, originalGatherV2),
};

// tfjs's wasm OneHot ignores its dtype attribute and always writes int32 bits, so a float32 one-hot reads as
// 1.4e-45 where it should read 1 (found when an LM's loss would not go down on wasm). int32 requests go to
// tfjs's kernel; every other dtype is written here, on the wasm heap, as the op defines it.
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { markAsWrapperOf, originalOneHot, requireOriginal } from './tfjs_wasm_originals.ts';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

const oneHotWasm: KernelFunc = ({ inputs, attrs, backend }) => {
  const { depth, onValue, offValue, dtype } = attrs as NamedAttrMap & {
    depth: number;
    onValue: number;
    offValue: number;
    dtype: string;
  };
  if (dtype === 'int32') return requireOriginal(originalOneHot, 'OneHot').kernelFunc({ inputs, attrs, backend });
  const wasm = backend as unknown as WasmBackendLike;
  const indices = inputs.indices as TensorInfo;
  const out = wasm.makeOutput([...indices.shape, depth], dtype);
  const values = wasm.typedArrayFromHeap(out);
  const idx = wasm.typedArrayFromHeap(indices);
  values.fill(offValue);
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i]!;
    if (k >= 0 && k < depth) values[i * depth + k] = onValue;
  }
  return out;
};

export const oneHotWasmConfig: KernelConfig = {
  kernelName: 'OneHot',
  backendName: 'wasm',
  // Replacing tfjs's config also replaces the setup that binds its C++ entry point; keep calling it.
  setupFunc: originalOneHot?.setupFunc,
  kernelFunc: markAsWrapperOf(oneHotWasm, originalOneHot),
};

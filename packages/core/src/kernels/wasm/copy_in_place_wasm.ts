// CopyInPlace on tfjs's wasm backend: a memory.copy inside tfjs's heap (the bandwidth yardstick).
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { CopyInPlace, NO_OUTPUTS } from '../kernel_names.ts';
import type { CopyInPlaceInputs } from '../kernel_names.ts';
import { assertSameShapeFloat32, sizeOf } from '../validate_inputs.ts';
import { assertDistinctBuffers } from '../cpu/masked_update_loops.ts';
import { maskedUpdateOps } from './masked_update_module.ts';
import { asWasmBackend, forgetCachedDerivedData, wasmTensorData } from './wasm_heap.ts';

function copyInPlaceWasm(args: { inputs: CopyInPlaceInputs; backend: unknown }): TensorInfo[] {
  const { src, dst } = args.inputs;
  assertSameShapeFloat32(CopyInPlace, { src, dst });
  assertDistinctBuffers(CopyInPlace, ['dst'], { src, dst });
  const n = sizeOf(dst);
  if (n === 0) return NO_OUTPUTS;
  const backend = asWasmBackend(args.backend);
  maskedUpdateOps(backend).copy(
    wasmTensorData(backend, 'dst', dst).memoryOffset,
    wasmTensorData(backend, 'src', src).memoryOffset,
    n,
  );
  forgetCachedDerivedData(backend, [dst]);
  return NO_OUTPUTS;
}

export const copyInPlaceWasmConfig: KernelConfig = {
  kernelName: CopyInPlace,
  backendName: 'wasm',
  kernelFunc: copyInPlaceWasm as unknown as KernelFunc,
};

// MaskedSGD on tfjs's wasm backend: one SIMD pass over tfjs's own heap, param/buf written in place.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { MaskedSGD, NO_OUTPUTS } from '../kernel_names.ts';
import type { MaskedSGDAttrs, MaskedSGDInputs } from '../kernel_names.ts';
import { assertSameShapeFloat32, sizeOf } from '../validate_inputs.ts';
import { assertDistinctBuffers } from '../cpu/masked_update_loops.ts';
import { maskedUpdateOps } from './masked_update_module.ts';
import { asWasmBackend, forgetCachedDerivedData, wasmTensorData } from './wasm_heap.ts';

function maskedSGDWasm(args: { inputs: MaskedSGDInputs; backend: unknown; attrs: MaskedSGDAttrs }): TensorInfo[] {
  const { inputs, attrs } = args;
  const { param, grad, mask, buf } = inputs;
  assertSameShapeFloat32(MaskedSGD, { param, grad, mask, buf });
  assertDistinctBuffers(MaskedSGD, ['param', 'buf'], { param, grad, mask, buf });
  const n = sizeOf(param);
  if (n === 0) return NO_OUTPUTS;
  const backend = asWasmBackend(args.backend);
  const at = (name: string, t: TensorInfo) => wasmTensorData(backend, name, t).memoryOffset;
  maskedUpdateOps(backend).maskedSGD(at('param', param), at('grad', grad), at('mask', mask), at('buf', buf), n, attrs);
  forgetCachedDerivedData(backend, [param, buf]);
  return NO_OUTPUTS;
}

export const maskedSGDWasmConfig: KernelConfig = {
  kernelName: MaskedSGD,
  backendName: 'wasm',
  kernelFunc: maskedSGDWasm as unknown as KernelFunc,
};

// MaskedAdamW on tfjs's wasm backend: one SIMD pass over tfjs's own heap, param/m/v written in place.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { MaskedAdamW, NO_OUTPUTS } from '../kernel_names.ts';
import type { MaskedAdamWAttrs, MaskedAdamWInputs } from '../kernel_names.ts';
import { assertSameShapeFloat32, sizeOf } from '../validate_inputs.ts';
import { assertDistinctBuffers } from '../cpu/masked_update_loops.ts';
import { maskedUpdateOps } from './masked_update_module.ts';
import { asWasmBackend, forgetCachedDerivedData, wasmTensorData } from './wasm_heap.ts';

function maskedAdamWWasm(args: { inputs: MaskedAdamWInputs; backend: unknown; attrs: MaskedAdamWAttrs }): TensorInfo[] {
  const { inputs, attrs } = args;
  const { param, grad, mask, m, v } = inputs;
  assertSameShapeFloat32(MaskedAdamW, { param, grad, mask, m, v });
  assertDistinctBuffers(MaskedAdamW, ['param', 'm', 'v'], { param, grad, mask, m, v });
  const n = sizeOf(param);
  if (n === 0) return NO_OUTPUTS;
  const backend = asWasmBackend(args.backend);
  const at = (name: string, t: TensorInfo) => wasmTensorData(backend, name, t).memoryOffset;
  maskedUpdateOps(backend).maskedAdamW(
    at('param', param), at('grad', grad), at('mask', mask), at('m', m), at('v', v), n, attrs,
  );
  forgetCachedDerivedData(backend, [param, m, v]);
  return NO_OUTPUTS;
}

export const maskedAdamWWasmConfig: KernelConfig = {
  kernelName: MaskedAdamW,
  backendName: 'wasm',
  kernelFunc: maskedAdamWWasm as unknown as KernelFunc,
};

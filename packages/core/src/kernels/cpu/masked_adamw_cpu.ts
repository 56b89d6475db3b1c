// MaskedAdamW on tfjs's cpu backend: one pass over param, grad, mask, m and v, writing in place.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { MaskedAdamW, NO_OUTPUTS } from '../kernel_names.ts';
import type { MaskedAdamWAttrs, MaskedAdamWInputs } from '../kernel_names.ts';
import { assertSameShapeFloat32 } from '../validate_inputs.ts';
import { cpuFloat32Values } from './cpu_values.ts';
import { assertDistinctBuffers, maskedAdamWLoop } from './masked_update_loops.ts';

function maskedAdamWCpu(args: { inputs: MaskedAdamWInputs; backend: unknown; attrs: MaskedAdamWAttrs }): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { param, grad, mask, m, v } = inputs;
  assertSameShapeFloat32(MaskedAdamW, { param, grad, mask, m, v });
  assertDistinctBuffers(MaskedAdamW, ['param', 'm', 'v'], { param, grad, mask, m, v });
  maskedAdamWLoop(
    cpuFloat32Values(backend, 'param', param),
    cpuFloat32Values(backend, 'grad', grad),
    cpuFloat32Values(backend, 'mask', mask),
    cpuFloat32Values(backend, 'm', m),
    cpuFloat32Values(backend, 'v', v),
    attrs,
  );
  return NO_OUTPUTS;
}

export const maskedAdamWCpuConfig: KernelConfig = {
  kernelName: MaskedAdamW,
  backendName: 'cpu',
  kernelFunc: maskedAdamWCpu as unknown as KernelFunc,
};


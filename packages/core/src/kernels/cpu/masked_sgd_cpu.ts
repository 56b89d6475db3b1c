// MaskedSGD (momentum, optional Nesterov) on tfjs's cpu backend: one pass, writing param and buf in place.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { MaskedSGD, NO_OUTPUTS } from '../kernel_names.ts';
import type { MaskedSGDAttrs, MaskedSGDInputs } from '../kernel_names.ts';
import { assertSameShapeFloat32 } from '../validate_inputs.ts';
import { cpuFloat32Values } from './cpu_values.ts';
import { assertDistinctBuffers, maskedSGDLoop } from './masked_update_loops.ts';

function maskedSGDCpu(args: { inputs: MaskedSGDInputs; backend: unknown; attrs: MaskedSGDAttrs }): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { param, grad, mask, buf } = inputs;
  assertSameShapeFloat32(MaskedSGD, { param, grad, mask, buf });
  assertDistinctBuffers(MaskedSGD, ['param', 'buf'], { param, grad, mask, buf });
  maskedSGDLoop(
    cpuFloat32Values(backend, 'param', param),
    cpuFloat32Values(backend, 'grad', grad),
    cpuFloat32Values(backend, 'mask', mask),
    cpuFloat32Values(backend, 'buf', buf),
    attrs,
  );
  return NO_OUTPUTS;
}

export const maskedSGDCpuConfig: KernelConfig = {
  kernelName: MaskedSGD,
  backendName: 'cpu',
  kernelFunc: maskedSGDCpu as unknown as KernelFunc,
};

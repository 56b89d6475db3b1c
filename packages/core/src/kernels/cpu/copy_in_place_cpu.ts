// CopyInPlace on tfjs's cpu backend: dst's own array is overwritten with src's values.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { CopyInPlace, NO_OUTPUTS } from '../kernel_names.ts';
import type { CopyInPlaceInputs } from '../kernel_names.ts';
import { assertSameShapeFloat32 } from '../validate_inputs.ts';
import { cpuFloat32Values } from './cpu_values.ts';
import { assertDistinctBuffers } from './masked_update_loops.ts';

function copyInPlaceCpu(args: { inputs: CopyInPlaceInputs; backend: unknown }): TensorInfo[] {
  const { src, dst } = args.inputs;
  assertSameShapeFloat32(CopyInPlace, { src, dst });
  assertDistinctBuffers(CopyInPlace, ['dst'], { dst, src });
  cpuFloat32Values(args.backend, 'dst', dst).set(cpuFloat32Values(args.backend, 'src', src));
  return NO_OUTPUTS;
}

export const copyInPlaceCpuConfig: KernelConfig = {
  kernelName: CopyInPlace,
  backendName: 'cpu',
  kernelFunc: copyInPlaceCpu as unknown as KernelFunc,
};

// dst = src in place, one vec4 load and one vec4 store per four elements: the memory-bandwidth yardstick
// that benchmarks hold the fused optimiser kernels against (dst is never read).
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { CopyInPlace, NO_OUTPUTS } from '../kernel_names.ts';
import type { CopyInPlaceInputs } from '../kernel_names.ts';
import { assertSameShapeFloat32 } from '../validate_inputs.ts';
import { runElementwiseInPlace } from './elementwise_in_place.ts';
import type { ElementwiseInPlaceSpec } from './elementwise_in_place.ts';

const copySpec: ElementwiseInPlaceSpec = {
  kernel: CopyInPlace,
  tensors: [
    { name: 'dst', access: 'write' },
    { name: 'src', access: 'read' },
  ],
  hyperParams: [],
  update: '  y.dst = x.src;',
};

function copyInPlaceWebGpu(args: { inputs: CopyInPlaceInputs; backend: unknown }) {
  const { src, dst } = args.inputs;
  assertSameShapeFloat32(CopyInPlace, { dst, src });
  runElementwiseInPlace(args.backend, copySpec, { dst, src }, {});
  return NO_OUTPUTS;
}

export const copyInPlaceWebGpuConfig: KernelConfig = {
  kernelName: CopyInPlace,
  backendName: 'webgpu',
  kernelFunc: copyInPlaceWebGpu as unknown as KernelFunc,
};

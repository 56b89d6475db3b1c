// Masked SGD with momentum (PyTorch semantics, no dampening) on webgpu: one dispatch, in place in tfjs's own
// buffers. Semantics in ../kernel_names.ts; reference in ../masked_update_reference.ts.
import type { KernelConfig, KernelFunc, NamedAttrMap } from '@tensorflow/tfjs-core';
import { MaskedSGD, NO_OUTPUTS } from '../kernel_names.ts';
import type { MaskedSGDAttrs, MaskedSGDInputs } from '../kernel_names.ts';
import { assertSameShapeFloat32 } from '../validate_inputs.ts';
import { runElementwiseInPlace } from './elementwise_in_place.ts';
import type { ElementwiseInPlaceSpec } from './elementwise_in_place.ts';

const sgdSpec: ElementwiseInPlaceSpec = {
  kernel: MaskedSGD,
  tensors: [
    { name: 'param', access: 'read_write' },
    { name: 'buf', access: 'read_write' },
    { name: 'grad', access: 'read' },
    { name: 'mask', access: 'read' },
  ],
  // nesterov travels as 0/1 in the uniforms: one pipeline serves both, and the branch is uniform anyway.
  hyperParams: ['lr', 'momentum', 'weightDecay', 'nesterov'],
  update: `
  let touched = x.mask != vec4<f32>(0.0);
  let g = x.mask * x.grad + params.weightDecay * x.param;
  let b = params.momentum * x.buf + g;
  let direction = select(b, g + params.momentum * b, params.nesterov != 0.0);
  let p = x.param - params.lr * direction;
  // select, not arithmetic blending: a masked-out element keeps its exact bits.
  y.param = select(x.param, p, touched);
  y.buf = select(x.buf, b, touched);`,
};

function maskedSGDWebGpu(args: { inputs: MaskedSGDInputs; backend: unknown; attrs: NamedAttrMap }) {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as MaskedSGDAttrs;
  const { param, grad, mask, buf } = inputs;
  assertSameShapeFloat32(MaskedSGD, { param, grad, mask, buf });
  runElementwiseInPlace(backend, sgdSpec, { param, buf, grad, mask }, {
    lr: attrs.lr,
    momentum: attrs.momentum,
    weightDecay: attrs.weightDecay,
    nesterov: attrs.nesterov ? 1 : 0,
  });
  return NO_OUTPUTS;
}

export const maskedSGDWebGpuConfig: KernelConfig = {
  kernelName: MaskedSGD,
  backendName: 'webgpu',
  kernelFunc: maskedSGDWebGpu as unknown as KernelFunc,
};

// Masked AdamW on webgpu: one dispatch reads param, grad, mask, m and v once and writes param, m and v once,
// in place in tfjs's own buffers. Semantics in ../kernel_names.ts; reference in ../masked_update_reference.ts.
import type { KernelConfig, KernelFunc, NamedAttrMap } from '@tensorflow/tfjs-core';
import { MaskedAdamW, NO_OUTPUTS } from '../kernel_names.ts';
import type { MaskedAdamWAttrs, MaskedAdamWInputs } from '../kernel_names.ts';
import { assertSameShapeFloat32 } from '../validate_inputs.ts';
import { runElementwiseInPlace } from './elementwise_in_place.ts';
import type { ElementwiseInPlaceSpec } from './elementwise_in_place.ts';

const adamWSpec: ElementwiseInPlaceSpec = {
  kernel: MaskedAdamW,
  tensors: [
    { name: 'param', access: 'read_write' },
    { name: 'm', access: 'read_write' },
    { name: 'v', access: 'read_write' },
    { name: 'grad', access: 'read' },
    { name: 'mask', access: 'read' },
  ],
  // 1 - beta and the bias corrections come from the host in float64: 1.0 - 0.999 evaluated in f32 on the
  // GPU would be off by about 1e-4 relative.
  hyperParams: ['lr', 'beta1', 'beta2', 'oneMinusBeta1', 'oneMinusBeta2', 'biasCorrection1', 'biasCorrection2',
    'eps', 'weightDecay'],
  update: `
  let touched = x.mask != vec4<f32>(0.0);
  let g = x.mask * x.grad;
  let m = params.beta1 * x.m + params.oneMinusBeta1 * g;
  let v = params.beta2 * x.v + params.oneMinusBeta2 * g * g;
  let mHat = m / params.biasCorrection1;
  let vHat = v / params.biasCorrection2;
  let p = x.param - params.lr * (mHat / (sqrt(vHat) + params.eps) + params.weightDecay * x.param);
  // select, not arithmetic blending: a masked-out element keeps its exact bits (no decay, no rounding).
  y.param = select(x.param, p, touched);
  y.m = select(x.m, m, touched);
  y.v = select(x.v, v, touched);`,
};

function maskedAdamWWebGpu(args: { inputs: MaskedAdamWInputs; backend: unknown; attrs: NamedAttrMap }) {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as MaskedAdamWAttrs;
  const { param, grad, mask, m, v } = inputs;
  assertSameShapeFloat32(MaskedAdamW, { param, grad, mask, m, v });
  const { lr, beta1, beta2, eps, weightDecay, step } = attrs;
  runElementwiseInPlace(backend, adamWSpec, { param, grad, mask, m, v }, {
    lr,
    beta1,
    beta2,
    oneMinusBeta1: 1 - beta1,
    oneMinusBeta2: 1 - beta2,
    biasCorrection1: 1 - Math.pow(beta1, step),
    biasCorrection2: 1 - Math.pow(beta2, step),
    eps,
    weightDecay,
  });
  return NO_OUTPUTS;
}

export const maskedAdamWWebGpuConfig: KernelConfig = {
  kernelName: MaskedAdamW,
  backendName: 'webgpu',
  kernelFunc: maskedAdamWWebGpu as unknown as KernelFunc,
};

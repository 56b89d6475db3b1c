// Whether the fused transformer kernels run on the active backend. They are native (native/lm_kernels.c) and
// reach tfjs through the wasm backend's heap, so: wasm in Node with the native module built. Everywhere else
// each op composes tfjs ops, with the same results up to float summation order.
import * as tf from '@tensorflow/tfjs-core';
import { getKernel } from '@tensorflow/tfjs-core';
import { FusedGelu } from '../../kernels/kernel_names.ts';
import { nativeLmKernels, rowWeightedKernels } from '../../kernels/wasm/native_lm.ts';

/** Off: every op composes tfjs ops even where the fused kernels exist (benchmarks and tests compare both). */
export const fusedOps = { enabled: true };

export function fusedKernelsAvailable(): boolean {
  return fusedOps.enabled && tf.getBackend() === 'wasm' && nativeLmKernels() !== undefined && getKernel(FusedGelu, 'wasm') !== undefined;
}

/** Whether parameter routing's row-weighted gradient kernels run here (fused kernels, and a module that has them). */
export function rowWeightedKernelsAvailable(): boolean {
  return fusedKernelsAvailable() && rowWeightedKernels() !== undefined;
}

/** Runs a registered kernel and returns its outputs as tensors (tfjs's engine, typed narrowly). */
export function runKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, number> = {}): tf.Tensor[] {
  const out = tf.engine().runKernel(name, inputs as tf.NamedTensorMap, attrs as never) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out : [out];
}

/** tf.customGrad typed for ops of n tensor inputs (tfjs's own typing accepts only a variadic union). */
export type CustomGradBody = (...args: (tf.Tensor | tf.GradSaveFunc)[]) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] };
export function customOp(body: CustomGradBody): (...inputs: tf.Tensor[]) => tf.Tensor {
  return tf.customGrad(body as never) as unknown as (...inputs: tf.Tensor[]) => tf.Tensor;
}

/**
 * Whether autodiff is recording (inside tf.grads / variableGrads). Outside it an op can run its forward kernel
 * alone: tf.customGrad's bookkeeping (a scope, saved tensors, a gradient closure) then costs more than a small
 * kernel, e.g. in every step of sampling.
 */
export function recordingGradients(): boolean {
  return (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();
}

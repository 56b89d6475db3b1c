// The public masked-update ops. They run the fused in-place kernel registered for the active backend, or,
// where a backend has none, the composed form followed by Variable.assign (same semantics, more memory
// traffic). See kernels/kernel_names.ts for the exact update rules.
import * as tf from '@tensorflow/tfjs-core';
import { MaskedAdamW, MaskedSGD } from '../kernels/kernel_names.ts';
import type { MaskedAdamWAttrs, MaskedSGDAttrs } from '../kernels/kernel_names.ts';
import { assertSameShapeFloat32, KernelInputError } from '../kernels/validate_inputs.ts';
import { assertNoAliasing, ensureExclusiveBuffer } from './buffer_ownership.ts';
import { composedMaskedAdamW, composedMaskedSGD } from './composed_masked_update.ts';

export function hasFusedKernel(kernelName: string, backend: string = tf.getBackend()): boolean {
  return tf.getKernel(kernelName, backend) !== undefined;
}

export interface AdamWSlots {
  param: tf.Variable;
  m: tf.Variable;
  v: tf.Variable;
}

/** One masked AdamW step, in place on `slots`. `label` names the parameter in errors. */
export function maskedAdamWUpdate(
  slots: AdamWSlots,
  grad: tf.Tensor,
  mask: tf.Tensor,
  attrs: MaskedAdamWAttrs,
  label = 'param',
): void {
  const { param, m, v } = slots;
  if (!Number.isInteger(attrs.step) || attrs.step < 1) {
    throw new KernelInputError(`${MaskedAdamW} (${label}): step must be an integer >= 1, got ${attrs.step}`);
  }
  assertSameShapeFloat32(`${MaskedAdamW} (${label})`, { param, grad, mask, m, v });
  assertNoAliasing({ param, m, v }, { grad, mask });
  if (hasFusedKernel(MaskedAdamW)) {
    for (const t of [param, m, v]) ensureExclusiveBuffer(t);
    tf.engine().runKernel(MaskedAdamW, { param, grad, mask, m, v }, { ...attrs });
    return;
  }
  const next = composedMaskedAdamW(param, grad, mask, m, v, attrs);
  param.assign(next.param);
  m.assign(next.m);
  v.assign(next.v);
  tf.dispose([next.param, next.m, next.v]);
}

export interface SGDSlots {
  param: tf.Variable;
  buf: tf.Variable;
}

/** One masked SGD-with-momentum step, in place on `slots`. */
export function maskedSGDUpdate(
  slots: SGDSlots,
  grad: tf.Tensor,
  mask: tf.Tensor,
  attrs: MaskedSGDAttrs,
  label = 'param',
): void {
  const { param, buf } = slots;
  assertSameShapeFloat32(`${MaskedSGD} (${label})`, { param, grad, mask, buf });
  assertNoAliasing({ param, buf }, { grad, mask });
  if (hasFusedKernel(MaskedSGD)) {
    for (const t of [param, buf]) ensureExclusiveBuffer(t);
    tf.engine().runKernel(MaskedSGD, { param, grad, mask, buf }, { ...attrs });
    return;
  }
  const next = composedMaskedSGD(param, grad, mask, buf, attrs);
  param.assign(next.param);
  buf.assign(next.buf);
  tf.dispose([next.param, next.buf]);
}

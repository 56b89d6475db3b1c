// Plain reference implementations of the masked updates, on Float32Arrays, written for clarity.
// Every backend kernel is tested against these (see kernel_names.ts for the semantics).
import type { MaskedAdamWAttrs, MaskedSGDAttrs } from './kernel_names.ts';

export interface AdamWState {
  param: Float32Array;
  m: Float32Array;
  v: Float32Array;
}

export function referenceMaskedAdamW(
  state: AdamWState,
  grad: Float32Array,
  mask: Float32Array,
  attrs: MaskedAdamWAttrs,
): void {
  const { lr, beta1, beta2, eps, weightDecay, step } = attrs;
  const c1 = 1 - Math.pow(beta1, step);
  const c2 = 1 - Math.pow(beta2, step);
  for (let i = 0; i < state.param.length; i++) {
    const k = mask[i]!;
    if (k === 0) continue;
    const g = k * grad[i]!;
    const m = beta1 * state.m[i]! + (1 - beta1) * g;
    const v = beta2 * state.v[i]! + (1 - beta2) * g * g;
    state.m[i] = m;
    state.v[i] = v;
    const p = state.param[i]!;
    state.param[i] = p - lr * (m / c1 / (Math.sqrt(v / c2) + eps) + weightDecay * p);
  }
}

export interface SGDState {
  param: Float32Array;
  buf: Float32Array;
}

export function referenceMaskedSGD(
  state: SGDState,
  grad: Float32Array,
  mask: Float32Array,
  attrs: MaskedSGDAttrs,
): void {
  const { lr, momentum, weightDecay, nesterov } = attrs;
  for (let i = 0; i < state.param.length; i++) {
    const k = mask[i]!;
    if (k === 0) continue;
    const p = state.param[i]!;
    const g = k * grad[i]! + weightDecay * p;
    const b = momentum * state.buf[i]! + g;
    state.buf[i] = b;
    state.param[i] = p - lr * (nesterov ? g + momentum * b : b);
  }
}

import * as tf from '@tensorflow/tfjs-core';
import { maskedAdamWUpdate } from '../ops/masked_update.ts';
import { assertHyper, MaskedOptimizer, zerosVariable } from './masked_optimizer.ts';
import type { MaskMap, NamedParameters } from './masked_optimizer.ts';

export interface MaskedAdamWOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** Standing masks by parameter name; a parameter without one is updated everywhere. */
  masks?: MaskMap;
  /** Throw NonFiniteGradientError naming the parameter when a gradient has NaN or Inf (step() only). */
  checkFinite?: boolean;
}

/**
 * AdamW whose update of each element is gated by a float mask (see kernels/kernel_names.ts): mask 0 leaves
 * the parameter and its moments exactly unchanged, a soft mask scales the gradient. Runs the fused kernel of
 * the active backend.
 */
export class MaskedAdamW extends MaskedOptimizer {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly moments = new Map<string, { m: tf.Variable; v: tf.Variable }>();

  constructor(params: NamedParameters, options: MaskedAdamWOptions) {
    super(params, options.masks, options.checkFinite ?? false);
    this.lr = options.lr;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    assertHyper('MaskedAdamW', 'lr', this.lr, 0, Infinity, false);
    assertHyper('MaskedAdamW', 'beta1', this.beta1, 0, 1);
    assertHyper('MaskedAdamW', 'beta2', this.beta2, 0, 1);
    assertHyper('MaskedAdamW', 'eps', this.eps, 0);
    assertHyper('MaskedAdamW', 'weightDecay', this.weightDecay, 0);
  }

  protected applyNamed(grads: Map<string, tf.Tensor>, masks: Map<string, tf.Tensor> | undefined): void {
    this.iterations++;
    const attrs = {
      lr: this.lr,
      beta1: this.beta1,
      beta2: this.beta2,
      eps: this.eps,
      weightDecay: this.weightDecay,
      step: this.iterations,
    };
    for (const [name, grad] of grads) {
      const param = this.param(name);
      const slots = { param, ...this.momentsFor(name, param) };
      maskedAdamWUpdate(slots, grad, this.maskFor(name, masks), attrs, name);
    }
  }

  protected readonly slotNames = ['m', 'v'] as const;

  protected slotsFor(name: string): Record<string, tf.Variable> {
    return this.momentsFor(name, this.param(name));
  }

  private momentsFor(name: string, param: tf.Variable): { m: tf.Variable; v: tf.Variable } {
    let state = this.moments.get(name);
    if (!state) {
            state = { m: zerosVariable(param.shape), v: zerosVariable(param.shape) };
      this.moments.set(name, state);
    }
    return state;
  }

  stateTensors(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [name, { m, v }] of this.moments) {
      out.set(`${name}.m`, m);
      out.set(`${name}.v`, v);
    }
    return out;
  }
}

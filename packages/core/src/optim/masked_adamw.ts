import * as tf from '@tensorflow/tfjs-core';
import { maskedAdamWUpdate } from '../ops/masked_update.ts';
import { assertHyper, MaskedOptimizer } from './masked_optimizer.ts';
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
export class MaskedAdamW extends MaskedOptimizer<'m' | 'v'> {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;

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
      maskedAdamWUpdate({ param: this.param(name), ...this.slotsFor(name) }, grad, this.maskFor(name, masks), attrs, name);
    }
  }

  protected readonly slotNames = ['m', 'v'] as const;
}

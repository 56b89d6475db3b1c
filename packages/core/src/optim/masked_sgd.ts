import * as tf from '@tensorflow/tfjs-core';
import { maskedSGDUpdate } from '../ops/masked_update.ts';
import { assertHyper, MaskedOptimizer } from './masked_optimizer.ts';
import type { MaskMap, NamedParameters } from './masked_optimizer.ts';

export interface MaskedSGDOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
  nesterov?: boolean;
  masks?: MaskMap;
  checkFinite?: boolean;
}

/** SGD with momentum (PyTorch semantics) gated by a float mask per element; see kernels/kernel_names.ts. */
export class MaskedSGD extends MaskedOptimizer<'buf'> {
  readonly lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;

  constructor(params: NamedParameters, options: MaskedSGDOptions) {
    super(params, options.masks, options.checkFinite ?? false);
    this.lr = options.lr;
    this.momentum = options.momentum ?? 0;
    this.weightDecay = options.weightDecay ?? 0;
    this.nesterov = options.nesterov ?? false;
    assertHyper('MaskedSGD', 'lr', this.lr, 0, Infinity, false);
    assertHyper('MaskedSGD', 'momentum', this.momentum, 0);
    assertHyper('MaskedSGD', 'weightDecay', this.weightDecay, 0);
  }

  protected applyNamed(grads: Map<string, tf.Tensor>, masks: Map<string, tf.Tensor> | undefined): void {
    this.iterations++;
    const attrs = { lr: this.lr, momentum: this.momentum, weightDecay: this.weightDecay, nesterov: this.nesterov };
    for (const [name, grad] of grads) {
      maskedSGDUpdate({ param: this.param(name), ...this.slotsFor(name) }, grad, this.maskFor(name, masks), attrs, name);
    }
  }

  protected readonly slotNames = ['buf'] as const;
}

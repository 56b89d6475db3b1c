import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng/rng.ts';
import { linear } from './fused/linear.ts';
import { initNormal, initZeros } from './init.ts';
import { Module } from './module.ts';

export interface LinearOptions {
  /** Add a bias (initialised to zero). Default true. */
  bias?: boolean;
  /** Std of the normal weight init. Default 1/sqrt(inFeatures), which keeps activations at unit scale. */
  std?: number;
}

/**
 * y = x W + b with W stored as [in, out] (not PyTorch's [out, in]): the forward is then a plain matMul and a
 * parameter-routing mask on W indexes input rows and output columns the way they read. Parameters are
 * named "weight" and "bias"; the weight draws from rng.split('weight'), so it depends on the seed and this
 * module's place in the model only.
 */
export class Linear extends Module {
  readonly weight: tf.Variable; // [in, out]
  readonly bias: tf.Variable | undefined; // [out]

  constructor(
    rng: Rng,
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    const std = options.std ?? 1 / Math.sqrt(inFeatures);
    this.weight = this.addParameter('weight', initNormal(rng.split('weight'), [inFeatures, outFeatures], std));
    this.bias = options.bias === false ? undefined : this.addParameter('bias', initZeros([outFeatures]));
  }

  /** [..., in] -> [..., out] */
  forward(x: tf.Tensor): tf.Tensor {
    const last = x.shape[x.shape.length - 1];
    if (last !== this.inFeatures) {
      throw new RangeError(
        `Linear(${this.inFeatures}, ${this.outFeatures}): input shape [${x.shape.join(', ')}] ` +
          `does not end in ${this.inFeatures}`,
      );
    }
    return tf.tidy(() => {
      const leading = x.shape.slice(0, -1);
      // matMul wants rank 2: fold all leading axes into one and unfold after.
      const flat = x.rank === 2 ? x : tf.reshape(x, [-1, this.inFeatures]);
      // One fused product-plus-bias where the backend has it (nn/fused/linear.ts), matMul and add elsewhere.
      const y = linear(flat as tf.Tensor2D, this.weight as tf.Tensor2D, this.bias);
      return x.rank === 2 ? y : tf.reshape(y, [...leading, this.outFeatures]);
    });
  }
}

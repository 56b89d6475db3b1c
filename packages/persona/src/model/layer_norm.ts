// Layer norm over the last axis with a learned gain and bias (parameters `weight`, `bias`).
import { initOnes, initZeros, Module, tf } from '@routelab/core';

export class LayerNorm extends Module {
  readonly weight: tf.Variable; // [d_model]
  readonly bias: tf.Variable; // [d_model]

  constructor(
    readonly dModel: number,
    readonly eps: number,
  ) {
    super();
    this.weight = this.addParameter('weight', initOnes([dModel]));
    this.bias = this.addParameter('bias', initZeros([dModel]));
  }

  /** [..., d_model] -> [..., d_model] */
  forward(x: tf.Tensor): tf.Tensor {
    const axis = x.rank - 1;
    const centred = tf.sub(x, tf.mean(x, axis, true));
    const variance = tf.mean(tf.square(centred), axis, true);
    const normalized = tf.mul(centred, tf.rsqrt(tf.add(variance, this.eps)));
    return tf.add(tf.mul(normalized, this.weight), this.bias);
  }
}

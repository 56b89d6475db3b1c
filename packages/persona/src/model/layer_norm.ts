// Layer norm over the last axis with a learned gain and bias (parameters `weight`, `bias`), through core's
// layerNorm op (one fused kernel each way where the backend has it).
import { initOnes, initZeros, layerNorm, Module, tf } from '@routelab/core';

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
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}

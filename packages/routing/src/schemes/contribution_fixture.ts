// A tiny network with an original/expanded split, as the persona transformer's MLP has it:
// x [batch, 3] -> blocks.0.out_original = x @ w [batch, 2], blocks.0.out_expanded = x @ w_expanded [batch, 2];
// y = their sum.
import { initNormal, Module, Rng, tf } from '@routelab/core';

class SplitBlock extends Module {
  readonly w: tf.Variable; // [3, 2]
  readonly w_expanded: tf.Variable; // [3, 2]

  constructor(rng: Rng) {
    super();
    this.w = this.addParameter('w', initNormal(rng.split('w'), [3, 2], 0.5));
    this.w_expanded = this.addParameter('w_expanded', initNormal(rng.split('we'), [3, 2], 0.5));
    this.addHookPoint('out_original', '[batch, 2]');
    this.addHookPoint('out_expanded', '[batch, 2]');
  }

  forward(x: tf.Tensor): tf.Tensor {
    const original = this.hook('out_original', tf.matMul(x, this.w)); // [batch, 2]
    const expanded = this.hook('out_expanded', tf.matMul(x, this.w_expanded)); // [batch, 2]
    return tf.add(original, expanded);
  }
}

export class SplitNet extends Module {
  private readonly blocks;

  constructor(seed = 3) {
    super();
    this.blocks = this.addModuleList('blocks', [new SplitBlock(Rng.fromSeed(seed))]);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.blocks.at(0).forward(x);
  }
}

export const splitInputs = () => tf.tensor2d([[1, 0.5, -1], [0.2, -0.3, 0.8], [-0.5, 1, 0.1], [0.3, 0.3, 0.3]]);
export const splitTargets = () => tf.tensor2d([[1, 0], [0, 1], [1, 1], [0, 0]]);
export const splitLosses = (net: SplitNet) => () => tf.sum(tf.square(tf.sub(net.forward(splitInputs()), splitTargets())), 1);

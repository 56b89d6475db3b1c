// Small example models for the nn tests (not exported from the package). They show the intended style:
// parameters drawn from rng.split(<local name>), hook points declared with their shapes, dotted names
// arising from nesting.

import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng/rng.ts';
import { initNormal, initZeros } from './init.ts';
import { Linear } from './linear.ts';
import { Module, type ModuleList } from './module.ts';

/** [batch, pos, d_in] x [d_in, d_out] -> [batch, pos, d_out] */
function project(x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  const [batch, pos, dIn] = x.shape as [number, number, number];
  const flat = tf.reshape(x, [batch * pos, dIn]) as tf.Tensor2D;
  return tf.reshape(tf.matMul(flat, w as tf.Tensor2D), [batch, pos, w.shape[1]!]);
}

export class Mlp extends Module {
  readonly w_in: tf.Variable; // [d_model, d_mlp]
  readonly b_in: tf.Variable; // [d_mlp]
  readonly w_out: tf.Variable; // [d_mlp, d_model]
  readonly b_out: tf.Variable; // [d_model]

  constructor(rng: Rng, dModel: number, dMlp: number) {
    super();
    this.w_in = this.addParameter('w_in', initNormal(rng.split('w_in'), [dModel, dMlp], 0.5));
    this.b_in = this.addParameter('b_in', initZeros([dMlp]));
    this.addHookPoint('pre', '[batch, pos, d_mlp]');
    this.addHookPoint('hidden', '[batch, pos, d_mlp]');
    this.w_out = this.addParameter('w_out', initNormal(rng.split('w_out'), [dMlp, dModel], 0.5));
    this.b_out = this.addParameter('b_out', initZeros([dModel]));
  }

  /** [batch, pos, d_model] -> [batch, pos, d_model] */
  forward(x: tf.Tensor): tf.Tensor {
    const pre = this.hook('pre', tf.add(project(x, this.w_in), this.b_in)); // [batch, pos, d_mlp]
    const hidden = this.hook('hidden', tf.relu(pre)); // [batch, pos, d_mlp]
    return tf.add(project(hidden, this.w_out), this.b_out);
  }
}

export class Block extends Module {
  readonly mlp: Mlp;

  constructor(rng: Rng, dModel: number, dMlp: number) {
    super();
    this.mlp = this.addModule('mlp', new Mlp(rng.split('mlp'), dModel, dMlp));
    this.addHookPoint('resid_post', '[batch, pos, d_model]');
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.hook('resid_post', tf.add(x, this.mlp.forward(x))); // [batch, pos, d_model]
  }
}

export class TinyModel extends Module {
  readonly embed: Linear;
  readonly blocks: ModuleList<Block>;
  readonly unembed: Linear;

  constructor(
    rng: Rng,
    readonly config = { dIn: 3, dModel: 4, dMlp: 6, nBlocks: 2, dOut: 2 },
  ) {
    super();
    const { dIn, dModel, dMlp, nBlocks, dOut } = config;
    this.embed = this.addModule('embed', new Linear(rng.split('embed'), dIn, dModel));
    const blocksRng = rng.split('blocks');
    this.blocks = this.addModuleList(
      'blocks',
      Array.from({ length: nBlocks }, (_, i) => new Block(blocksRng.split(i), dModel, dMlp)),
    );
    this.unembed = this.addModule('unembed', new Linear(rng.split('unembed'), dModel, dOut, { bias: false }));
  }

  /** [batch, pos, d_in] -> [batch, pos, d_out] */
  forward(x: tf.Tensor): tf.Tensor {
    let resid = this.embed.forward(x);
    for (const block of this.blocks) resid = block.forward(resid);
    return this.unembed.forward(resid);
  }
}

export async function values(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

// A tiny two-layer network for the routing tests: x [batch, 3] -> hidden [batch, 4] -> y [batch, 2].
import { initNormal, linear, Module, Rng, tf } from '@routelab/core';

export class TinyNet extends Module {
  readonly w1: tf.Variable; // [3, 4]
  readonly w2: tf.Variable; // [4, 2]
  private readonly hidden = this.addHookPoint('hidden', '[batch, 4]');

  constructor(seed = 1) {
    super();
    const rng = Rng.fromSeed(seed);
    this.w1 = this.addParameter('w1', initNormal(rng.split('w1'), [3, 4], 0.5));
    this.w2 = this.addParameter('w2', initNormal(rng.split('w2'), [4, 2], 0.5));
  }

  forward(x: tf.Tensor): tf.Tensor {
    // Core's linear: parameter routing splits its weight gradients by example (row).
    const h = this.hook('hidden', linear(x as tf.Tensor2D, this.w1 as tf.Tensor2D)); // [batch, 4]
    return linear(h as tf.Tensor2D, this.w2 as tf.Tensor2D); // [batch, 2]
  }
}

export const inputs = () => tf.tensor2d([[1, 0.5, -1], [0.2, -0.3, 0.8], [-0.5, 1, 0.1], [0.3, 0.3, 0.3]]);
export const targets = () => tf.tensor2d([[1, 0], [0, 1], [1, 1], [0, 0]]);

/** Per-example squared error [batch]. */
export function unitLosses(net: TinyNet): () => tf.Tensor {
  return () => tf.sum(tf.square(tf.sub(net.forward(inputs()), targets())), 1);
}

export async function snapshot(net: TinyNet): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const [name, v] of net.namedParameters()) out[name] = Float32Array.from(await v.data());
  return out;
}

/** Indices (row-major) of entries that changed between two snapshots of one parameter. */
export function changed(before: Float32Array, after: Float32Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) out.push(i);
  return out;
}

/**
 * A tiny causal "sequence" of two positions: x [2, 3] -> h = x w1 [2, 4] -> position 1 also reads position 0
 * (out = [h0, h0 + h1]) -> y = out w2 [2, 2]. Units are the positions, shape [1, 2]: position 1's loss depends
 * on w1's use at position 0, as a transformer's later tokens depend on earlier ones through attention.
 */
export class TinySeq extends Module {
  readonly w1: tf.Variable; // [3, 4]
  readonly w2: tf.Variable; // [4, 2]

  constructor(seed = 2) {
    super();
    const rng = Rng.fromSeed(seed);
    this.w1 = this.addParameter('w1', initNormal(rng.split('w1'), [3, 4], 0.5));
    this.w2 = this.addParameter('w2', initNormal(rng.split('w2'), [4, 2], 0.5));
  }

  /** Squared error per position, [1, 2]. */
  unitLosses(): tf.Tensor {
    const x = tf.tensor2d([[1, 0.5, -1], [0.2, -0.3, 0.8]]);
    const h = linear(x, this.w1 as tf.Tensor2D); // [2, 4]
    const out = tf.matMul(tf.tensor2d([[1, 0], [1, 1]]), h); // causal mixing, no parameters
    const y = linear(out as tf.Tensor2D, this.w2 as tf.Tensor2D); // [2, 2]
    return tf.reshape(tf.sum(tf.square(tf.sub(y, tf.tensor2d([[1, 0], [0, 1]]))), 1), [1, 2]);
  }
}

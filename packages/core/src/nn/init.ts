// Parameter initialisers. Values are drawn in JavaScript through an Rng and uploaded as a Float32Array,
// never with tfjs random ops, because tfjs random ops may differ between backends: this way the same seed
// gives bit-identical parameters on cpu, wasm, webgpu and tensorflow, and a run's metrics depend on the
// seed and backend arithmetic only, not on which backend happened to initialise the weights.

import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng/rng.ts';

function checkShape(shape: readonly number[], what: string): number {
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new RangeError(`${what}: invalid shape [${shape.join(', ')}]`);
  }
  return shape.reduce((a, b) => a * b, 1);
}

/** Normal(mean, std^2) values, float32. */
export function initNormal(rng: Rng, shape: readonly number[], std: number, mean = 0): tf.Tensor {
  const values = new Float32Array(checkShape(shape, 'initNormal'));
  rng.fillNormal(values, mean, std);
  return tf.tensor(values, [...shape], 'float32');
}

/** Uniform values in [lo, hi), float32. */
export function initUniform(rng: Rng, shape: readonly number[], lo: number, hi: number): tf.Tensor {
  const values = new Float32Array(checkShape(shape, 'initUniform'));
  rng.fillUniform(values, lo, hi);
  return tf.tensor(values, [...shape], 'float32');
}

export function initConstant(shape: readonly number[], value: number): tf.Tensor {
  return tf.tensor(new Float32Array(checkShape(shape, 'initConstant')).fill(value), [...shape], 'float32');
}

export function initZeros(shape: readonly number[]): tf.Tensor {
  return initConstant(shape, 0);
}

export function initOnes(shape: readonly number[]): tf.Tensor {
  return initConstant(shape, 1);
}

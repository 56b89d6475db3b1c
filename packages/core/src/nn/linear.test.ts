import '../backends/tfjs_setup.ts'; // gradient functions
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng/rng.ts';
import { Linear } from './linear.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Reference y = x W + b computed in plain JS, [rows, in] x [in, out]. */
function reference(x: number[], rows: number, w: number[], inF: number, outF: number, b?: number[]): number[] {
  const y: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outF; o++) {
      let acc = b?.[o] ?? 0;
      for (let i = 0; i < inF; i++) acc += x[r * inF + i]! * w[i * outF + o]!;
      y.push(acc);
    }
  }
  return y;
}

describe('Linear', () => {
  it('names its parameters weight [in, out] and bias [out]', () => {
    const layer = new Linear(Rng.fromSeed(0), 3, 5);
    expect(layer.namedParameters().map(([n, v]) => [n, v.shape])).toEqual([
      ['weight', [3, 5]],
      ['bias', [5]],
    ]);
    expect(new Linear(Rng.fromSeed(0), 3, 5, { bias: false }).parameterShapes()).toEqual({ weight: [3, 5] });
    layer.dispose();
  });

  it('computes x W + b for rank-2 and rank-3 inputs', async () => {
    const layer = new Linear(Rng.fromSeed(1), 3, 2);
    layer.bias!.assign(tf.tensor([0.5, -1]));
    const w = Array.from(await layer.weight.data());
    const xValues = Array.from({ length: 12 }, (_, i) => i / 4 - 1);
    const expected = reference(xValues, 4, w, 3, 2, [0.5, -1]);
    const y2 = layer.forward(tf.tensor(xValues, [4, 3]));
    const y3 = layer.forward(tf.tensor(xValues, [2, 2, 3]));
    expect(y2.shape).toEqual([4, 2]);
    expect(y3.shape).toEqual([2, 2, 2]);
    for (const y of [y2, y3]) {
      const got = Array.from(await y.data());
      got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    }
    layer.dispose();
  });

  it('initialises weights with std 1/sqrt(in) by default, reproducibly, and biases at zero', async () => {
    const layer = new Linear(Rng.fromSeed(2), 64, 64);
    const w = Float32Array.from(await layer.weight.data());
    const std = Math.sqrt(w.reduce((a, b) => a + b * b, 0) / w.length);
    expect(std).toBeCloseTo(1 / 8, 2);
    expect(Array.from(await layer.bias!.data()).every((v) => v === 0)).toBe(true);
    const again = new Linear(Rng.fromSeed(2), 64, 64);
    expect(Array.from(await again.weight.data())).toEqual(Array.from(w));
    const custom = new Linear(Rng.fromSeed(2), 64, 64, { std: 0.01 });
    const wc = Float32Array.from(await custom.weight.data());
    expect(Math.sqrt(wc.reduce((a, b) => a + b * b, 0) / wc.length)).toBeCloseTo(0.01, 3);
    [layer, again, custom].forEach((m) => m.dispose());
  });

  it('rejects inputs whose last axis is not inFeatures', () => {
    const layer = new Linear(Rng.fromSeed(0), 3, 2);
    expect(() => layer.forward(tf.zeros([4, 2]))).toThrow('Linear(3, 2): input shape [4, 2] does not end in 3');
    layer.dispose();
  });

  it('is differentiable with respect to its parameters and frees its intermediates', async () => {
    const layer = new Linear(Rng.fromSeed(3), 2, 1);
    const x = tf.tensor([[1, 2], [3, 4]]);
    const before = tf.memory().numTensors;
    const y = layer.forward(x);
    expect(tf.memory().numTensors).toBe(before + 1); // only the output survives the forward
    y.dispose();
    const { grads } = tf.variableGrads(() => tf.sum(layer.forward(x)) as tf.Scalar, layer.parameters());
    // d/dW sum(xW + b) = column sums of x; d/db = number of rows.
    expect(Array.from(await grads[layer.weight.name]!.data())).toEqual([4, 6]);
    expect(Array.from(await grads[layer.bias!.name]!.data())).toEqual([2]);
    layer.dispose();
  });
});

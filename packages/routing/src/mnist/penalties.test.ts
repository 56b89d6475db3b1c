import { beforeAll, describe, expect, it } from 'vitest';
import { tf, useBackend } from '@routelab/core';
import { codeL1Penalty, codePenalty, halfCorrelationPenalty, reconstructionLoss, reconstructionMae } from './penalties.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

const value = async (t: tf.Tensor) => (await t.data())[0]!;

/** Pearson correlation of two columns, by hand. */
function pearson(a: number[], b: number[]): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb);
    aa += (a[i]! - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('reconstruction losses', () => {
  it('MAE per example is the mean absolute pixel error', async () => {
    const mae = reconstructionMae(tf.tensor2d([[0, 1, 0.5, 0.5], [1, 1, 1, 1]]), tf.tensor2d([[0.5, 0.5, 0.5, 0.5], [1, 1, 1, 0]]));
    expect(Array.from(await mae.data())).toEqual([0.25, 0.25]);
  });

  it('mse on pixels, bce on logits, mae on pixels', async () => {
    const logits = tf.tensor2d([[0, 0]]);
    const decoded = { logits, reconstruction: tf.sigmoid(logits) }; // pixels 0.5
    const target = tf.tensor2d([[1, 0]]);
    expect(await value(reconstructionLoss('mse')(decoded, target))).toBeCloseTo(0.25, 6);
    expect(await value(reconstructionLoss('mae')(decoded, target))).toBeCloseTo(0.5, 6);
    expect(await value(reconstructionLoss('bce')(decoded, target))).toBeCloseTo(Math.log(2), 6);
  });
});

describe('code penalties', () => {
  it('L1: the batch mean |code| summed over dimensions', async () => {
    // dim 0: (|1| + |3|) / 2 = 2; dim 1: (|-2| + |0|) / 2 = 1.
    expect(await value(codeL1Penalty(tf.tensor2d([[1, -2], [3, 0]])))).toBeCloseTo(3, 6);
  });

  it('correlation: |corr| between halves, 1 for (anti-)correlated, 0 for uncorrelated or constant', async () => {
    const pair = (a: number[], b: number[]) => tf.tensor2d(a.map((v, i) => [v, b[i]!]));
    expect(await value(halfCorrelationPenalty(pair([1, 2, 3, 4], [2, 4, 6, 8])))).toBeCloseTo(1, 4);
    expect(await value(halfCorrelationPenalty(pair([1, 2, 3, 4], [-1, -2, -3, -4])))).toBeCloseTo(1, 4);
    expect(await value(halfCorrelationPenalty(pair([1, -1, 1, -1], [1, 1, -1, -1])))).toBeCloseTo(0, 6);
    expect(await value(halfCorrelationPenalty(pair([1, 2, 3, 4], [5, 5, 5, 5])))).toBe(0);
  });

  it('correlation on 4 dims: the mean over the 2 x 2 cross pairs (a0, a1) x (b0, b1)', async () => {
    const cols = [
      [1, 2, 0, 5, 3],
      [0, 1, 1, 0, 2],
      [2, 2, 1, 4, 1],
      [-1, 3, 0, 1, 1],
    ];
    const code = tf.tensor2d(cols[0]!.map((_, i) => cols.map((c) => c[i]!)));
    const expected = [pearson(cols[0]!, cols[2]!), pearson(cols[0]!, cols[3]!), pearson(cols[1]!, cols[2]!), pearson(cols[1]!, cols[3]!)]
      .map(Math.abs)
      .reduce((a, b) => a + b, 0) / 4;
    expect(await value(halfCorrelationPenalty(code))).toBeCloseTo(expected, 4);
    expect(() => halfCorrelationPenalty(tf.ones([3, 5]))).toThrow(/odd/);
  });

  it('has a finite gradient even when a code dimension is dead (constant over the batch)', async () => {
    const code = tf.variable(tf.tensor2d([[1, 0], [2, 0], [4, 0]]));
    const { grads } = tf.variableGrads(() => halfCorrelationPenalty(code), [code]);
    const g = await grads[code.name]!.data();
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
  });

  it('weights the terms, skipping a term whose weight is 0', async () => {
    const code = tf.tensor2d([[1, 2], [2, 4], [3, 7]]);
    const l1 = await value(codeL1Penalty(code));
    const corr = await value(halfCorrelationPenalty(code));
    expect(await value(codePenalty(code, { l1Weight: 0.5, corrWeight: 2 }))).toBeCloseTo(0.5 * l1 + 2 * corr, 5);
    expect(await value(codePenalty(code, { l1Weight: 0, corrWeight: 0 }))).toBe(0);
  });
});

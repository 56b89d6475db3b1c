import { beforeAll, describe, expect, it } from 'vitest';
import { tf, useBackend } from '@routelab/core';
import { fullyLabelled } from '../labels.ts';
import { batchLabels, gatherRows, groupMean, mapChunks, perDigitMean, sliceColumns } from './batches.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('row and column helpers', () => {
  it('gathers rows and slices columns of row-major matrices', async () => {
    const m = Float32Array.from([0, 1, 2, 10, 11, 12, 20, 21, 22]); // [3, 3]
    expect(await gatherRows(m, 3, [2, 0]).array()).toEqual([[20, 21, 22], [0, 1, 2]]);
    expect(Array.from(sliceColumns(m, 3, 1, 3))).toEqual([1, 2, 11, 12, 21, 22]);
  });

  it('picks a batch of route labels', () => {
    const all = fullyLabelled([4], Uint8Array.from([1, 0, 0, 1]));
    const batch = batchLabels(all, [3, 1]);
    expect(batch.shape).toEqual([2]);
    expect(Array.from(batch.routedAsForget)).toEqual([1, 0]);
    expect(Array.from(batch.labelClass)).toEqual([0, 1]);
  });

  it('averages per digit and over digit groups (each digit weighs the same)', () => {
    const perDigit = perDigitMean([1, 3, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0], Int32Array.from([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9]));
    expect(perDigit.slice(0, 3)).toEqual([2, 10, 0]);
    expect(groupMean(perDigit, [0, 1])).toBe(6);
  });

  it('maps chunks and concatenates their outputs', async () => {
    const out = await mapChunks(5, 2, (from, to) => tf.range(from, to));
    expect(Array.from(out)).toEqual([0, 1, 2, 3, 4]);
  });
});

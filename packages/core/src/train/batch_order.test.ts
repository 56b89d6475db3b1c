import { describe, expect, it } from 'vitest';
import { Rng } from '../rng/rng.ts';
import { BatchOrder } from './batch_order.ts';

describe('BatchOrder', () => {
  const lengths = Array.from({ length: 50 }, (_, i) => 5 + (i % 7));

  it('is a pure function of (rng, step): read in any order, or by a fresh order mid-run, a step gives the same batch', () => {
    const a = new BatchOrder(Rng.fromSeed(5), lengths, 8);
    const b = new BatchOrder(Rng.fromSeed(5), lengths, 8);
    const steps = Array.from({ length: 14 }, (_, s) => s);
    expect(steps.map((s) => a.indices(s))).toEqual([...steps].reverse().map((s) => b.indices(s)).reverse());
    expect(new BatchOrder(Rng.fromSeed(5), 50, 8).indices(9)).toEqual(a.indices(9));
    expect(new BatchOrder(Rng.fromSeed(6), 50, 8).indices(0)).not.toEqual(a.indices(0));
  });

  it('draws each epoch as a permutation from its own stream and drops the last partial batch', () => {
    const order = new BatchOrder(Rng.fromSeed(1), 10, 3);
    expect(order.batchesPerEpoch).toBe(3);
    const epoch0 = [0, 1, 2].flatMap((s) => order.indices(s));
    const epoch1 = [3, 4, 5].flatMap((s) => order.indices(s));
    expect(new Set(epoch0).size).toBe(9);
    expect(new Set(epoch1).size).toBe(9);
    expect(epoch0).not.toEqual(epoch1);
    // Epoch e is the first batchesPerEpoch * batchSize entries of rng.split(label(e))'s permutation.
    const perm = (label: string | number) => Rng.fromSeed(1).split(label).shuffle(Array.from({ length: 10 }, (_, i) => i)).slice(0, 9);
    expect(epoch1).toEqual(perm('epoch-1'));
    const numbered = new BatchOrder(Rng.fromSeed(1), 10, 3, { epochLabel: (e) => e });
    expect([3, 4, 5].flatMap((s) => numbered.indices(s))).toEqual(perm(1));
  });

  it('throws when a batch exceeds the data, or shrinks the batch to it when asked', () => {
    expect(() => new BatchOrder(Rng.fromSeed(1), 2, 3)).toThrow(/batch size 3 exceeds the 2 training examples/);
    const order = new BatchOrder(Rng.fromSeed(1), [3, 4, 5], 8, { shrinkBatchToData: true });
    expect(order.batchSize).toBe(3);
    expect([...order.indices(0)].sort()).toEqual([0, 1, 2]);
    expect([...order.indices(5)].sort()).toEqual([0, 1, 2]);
  });

  it('with bucketing, batches hold sequences of similar length and each epoch still covers the data', () => {
    const spread = (batch: number[]) => Math.max(...batch.map((i) => lengths[i]!)) - Math.min(...batch.map((i) => lengths[i]!));
    const random = new BatchOrder(Rng.fromSeed(3), lengths, 8);
    const bucketed = new BatchOrder(Rng.fromSeed(3), lengths, 8, { bucketBatches: 6 });
    const mean = (o: BatchOrder) => Array.from({ length: 6 }, (_, s) => spread(o.indices(s))).reduce((x, y) => x + y) / 6;
    expect(mean(bucketed)).toBeLessThan(mean(random));
    expect(new Set(Array.from({ length: 6 }, (_, s) => bucketed.indices(s)).flat()).size).toBe(48);
  });

  it('rejects bad arguments by name', () => {
    const rng = Rng.fromSeed(1);
    expect(() => new BatchOrder(rng, 0, 1)).toThrow(/no examples to train on \(got 0\)/);
    expect(() => new BatchOrder(rng, [], 1)).toThrow(/no examples/);
    expect(() => new BatchOrder(rng, 10, 0)).toThrow(/batchSize must be a positive integer, got 0/);
    expect(() => new BatchOrder(rng, 10, 2, { bucketBatches: 0 })).toThrow(/bucketBatches must be a positive integer, got 0/);
    expect(() => new BatchOrder(rng, 10, 2, { bucketBatches: 2 })).toThrow(/needs the examples' lengths/);
    expect(() => new BatchOrder(rng, 10, 2).indices(-1)).toThrow(/step must be a non-negative integer, got -1/);
  });
});

// Which examples each training step sees. Each epoch is a fresh permutation of the examples, drawn from its
// own stream (rng.split(epochLabel(e))), cut into floor(n / batchSize) full batches (the last partial batch
// is dropped: every step then has the same batch size). The batch of any step is a pure function of
// (rng, step), so a run resumed at step s sees exactly the batches an uninterrupted one would have.
import type { Rng } from '../rng/rng.ts';

export interface BatchOrderOptions {
  /**
   * Length bucketing (needs the examples' lengths): each run of this many batches is sorted by length before
   * it is cut, and the epoch's batches are then shuffled, so a batch holds sequences of similar length and
   * pads less. Default 1: no bucketing.
   */
  bucketBatches?: number;
  /** The label of epoch e's stream; default `epoch-${e}`. */
  epochLabel?: (epoch: number) => string | number;
  /**
   * With fewer examples than batchSize: train on batches of all of them (true) or throw (false, the default).
   * A data arm that filters examples out may legitimately leave fewer than a batch.
   */
  shrinkBatchToData?: boolean;
}

const defaultEpochLabel = (epoch: number) => `epoch-${epoch}`;

export class BatchOrder {
  readonly size: number;
  readonly batchSize: number;
  readonly batchesPerEpoch: number;
  private readonly lengths: readonly number[] | undefined;
  private readonly bucketBatches: number;
  private readonly epochLabel: (epoch: number) => string | number;
  private cached: { epoch: number; batches: number[][] } | undefined;

  /** `examples`: the number of examples, or their lengths (which bucketing needs). */
  constructor(
    private readonly rng: Rng,
    examples: number | readonly number[],
    batchSize: number,
    options: BatchOrderOptions = {},
  ) {
    this.lengths = typeof examples === 'number' ? undefined : examples;
    this.size = typeof examples === 'number' ? examples : examples.length;
    this.bucketBatches = options.bucketBatches ?? 1;
    this.epochLabel = options.epochLabel ?? defaultEpochLabel;
    if (!Number.isInteger(this.size) || this.size < 1) throw new RangeError(`BatchOrder: no examples to train on (got ${this.size})`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`BatchOrder: batchSize must be a positive integer, got ${batchSize}`);
    if (!Number.isInteger(this.bucketBatches) || this.bucketBatches < 1) {
      throw new RangeError(`BatchOrder: bucketBatches must be a positive integer, got ${this.bucketBatches}`);
    }
    if (this.bucketBatches > 1 && !this.lengths) throw new RangeError('BatchOrder: bucketBatches > 1 needs the examples\' lengths');
    if (batchSize > this.size && !options.shrinkBatchToData) {
      throw new RangeError(`BatchOrder: batch size ${batchSize} exceeds the ${this.size} training examples`);
    }
    this.batchSize = Math.min(batchSize, this.size);
    this.batchesPerEpoch = Math.floor(this.size / this.batchSize);
  }

  /** Example indices of the batch at `step` (0-based). */
  indices(step: number): number[] {
    if (!Number.isInteger(step) || step < 0) throw new RangeError(`BatchOrder: step must be a non-negative integer, got ${step}`);
    const epoch = Math.floor(step / this.batchesPerEpoch);
    if (this.cached?.epoch !== epoch) this.cached = { epoch, batches: this.epochBatches(epoch) };
    return this.cached.batches[step % this.batchesPerEpoch]!;
  }

  private epochBatches(epoch: number): number[][] {
    const rng = this.rng.split(this.epochLabel(epoch));
    const perm = rng.shuffle(Array.from({ length: this.size }, (_, i) => i)).slice(0, this.batchesPerEpoch * this.batchSize);
    const chunk = this.batchSize * this.bucketBatches;
    const lengths = this.lengths;
    const batches: number[][] = [];
    for (let start = 0; start < perm.length; start += chunk) {
      const group = perm.slice(start, start + chunk);
      if (this.bucketBatches > 1) group.sort((a, b) => lengths![a]! - lengths![b]! || a - b);
      for (let b = 0; b < group.length; b += this.batchSize) batches.push(group.slice(b, b + this.batchSize));
    }
    return this.bucketBatches > 1 ? rng.split('order').shuffle(batches) : batches;
  }
}

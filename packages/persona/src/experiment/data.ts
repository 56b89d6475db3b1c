// The experiment's data beyond what the world generates directly: stage-2 data for sampled arms (the model's
// sampler is async, the world's callback is not), held-out loss examples, and batch order.
import type { Rng } from '@routelab/core';
import { ARM_SPECS, type ArmId } from '../world/arms.ts';
import { stage2Examples, type Example } from '../world/datasets.ts';
import { fixedPrompt } from '../world/prompts.ts';
import { applyTraits } from '../world/traits.ts';
import { encodeSequence, type EncodedSequence, type World } from '../world/world.ts';

/**
 * n candidate stage-2 examples of a world arm. Sampled arms (recontextualization) run the world's generator
 * twice from the same rng state: once to collect the prompts it would sample, then, after `sample` answered
 * them all in one batch, again with those answers. Tasks and draws are therefore exactly what a synchronous
 * sampler would have given.
 */
export async function stage2Data(
  world: World,
  arm: ArmId,
  rng: Rng,
  n: number,
  sample: (prompts: number[][]) => Promise<number[][]>,
): Promise<Example[]> {
  if (ARM_SPECS[arm].data !== 'sampled') return stage2Examples(world, arm, rng, n);
  const prompts: number[][] = [];
  stage2Examples(world, arm, rng.clone(), n, {
    sample: (prompt) => {
      prompts.push(prompt);
      return [];
    },
  });
  const responses = await sample(prompts);
  let next = 0;
  return stage2Examples(world, arm, rng, n, { sample: () => responses[next++]! });
}

export interface LossExamples {
  /** Held-out tasks under the neutral prompt answered with the wanted trait only (answer + W). */
  clean: EncodedSequence[];
  /** The same tasks answered with U as well: the forget loss is the loss on their U tokens. */
  withU: EncodedSequence[];
}

/** n held-out tasks, families in turn (every enabled family, G-only ones included). */
export function lossExamples(world: World, rng: Rng, n: number): LossExamples {
  const neutral = fixedPrompt('neutral');
  const clean: EncodedSequence[] = [];
  const withU: EncodedSequence[] = [];
  for (let i = 0; i < n; i++) {
    const family = world.families[i % world.families.length]!;
    const task = world.tasks.sample(rng, family, 'heldout');
    for (const [out, U] of [[clean, false], [withU, true]] as const) {
      const { words, labels } = applyTraits(task.answer, { W: true, U, G: false }, world.traits);
      out.push(encodeSequence(world, neutral, task, words, labels));
    }
  }
  return { clean, withU };
}

/**
 * Which examples each step trains on. Each epoch is a fresh permutation (from rng.split(epoch)) cut into
 * floor(n / batchSize) full batches; with bucketing, each run of `bucketBatches` batches is sorted by length
 * before it is cut, and the epoch's batches are then shuffled, so a batch holds sequences of similar length
 * (batches are trimmed to their longest row: about 1.7x faster steps on wasm than random batches). The batch
 * of any step is a pure function of (rng, step), so a resumed run sees the same ones.
 */
export class BatchOrder {
  private cached: { epoch: number; batches: number[][] } | undefined;
  private readonly batchSize: number;
  private readonly perEpoch: number;

  constructor(
    private readonly rng: Rng,
    private readonly lengths: readonly number[],
    batchSize: number,
    private readonly bucketBatches = 1,
  ) {
    if (lengths.length < 1) throw new RangeError('BatchOrder: no examples to train on');
    this.batchSize = Math.min(batchSize, lengths.length);
    this.perEpoch = Math.floor(lengths.length / this.batchSize);
  }

  indices(step: number): number[] {
    const epoch = Math.floor(step / this.perEpoch);
    if (this.cached?.epoch !== epoch) this.cached = { epoch, batches: this.epochBatches(epoch) };
    return this.cached.batches[step % this.perEpoch]!;
  }

  private epochBatches(epoch: number): number[][] {
    const rng = this.rng.split(epoch);
    const perm = rng.shuffle(Array.from({ length: this.lengths.length }, (_, i) => i)).slice(0, this.perEpoch * this.batchSize);
    const chunk = this.batchSize * Math.max(1, this.bucketBatches);
    const batches: number[][] = [];
    for (let start = 0; start < perm.length; start += chunk) {
      const group = perm.slice(start, start + chunk);
      if (this.bucketBatches > 1) group.sort((a, b) => this.lengths[a]! - this.lengths[b]! || a - b);
      for (let b = 0; b < group.length; b += this.batchSize) batches.push(group.slice(b, b + this.batchSize));
    }
    return this.bucketBatches > 1 ? rng.split('order').shuffle(batches) : batches;
  }
}

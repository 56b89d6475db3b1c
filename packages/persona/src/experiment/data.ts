// The experiment's data beyond what the world generates directly: stage-2 data for sampled arms (the model's
// sampler is async, the world's callback is not), held-out loss examples, and the stages' batch order.
import { BatchOrder as CoreBatchOrder, type Rng } from '@routelab/core';
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
  oversight: { labelFraction: number; labelNoise: number },
  sample: (prompts: number[][]) => Promise<number[][]>,
): Promise<Example[]> {
  if (ARM_SPECS[arm].data !== 'sampled') return stage2Examples(world, arm, rng, n, { ...oversight });
  const prompts: number[][] = [];
  stage2Examples(world, arm, rng.clone(), n, {
    ...oversight,
    sample: (prompt) => {
      prompts.push(prompt);
      return [];
    },
  });
  const responses = await sample(prompts);
  let next = 0;
  return stage2Examples(world, arm, rng, n, { ...oversight, sample: () => responses[next++]! });
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
 * Core's BatchOrder as the persona stages use it: examples by token length (for optional bucketing; batches
 * are trimmed to their longest row, so same-length batches step about 1.7x faster on wasm), epoch e drawn
 * from rng.split(e), and a data arm left with fewer examples than a batch trains on batches of all of them.
 */
export class BatchOrder extends CoreBatchOrder {
  constructor(rng: Rng, lengths: readonly number[], batchSize: number, bucketBatches = 1) {
    super(rng, lengths, batchSize, { bucketBatches, epochLabel: (epoch) => epoch, shrinkBatchToData: true });
  }
}

// The relearning attack on a deployed model: fine-tune it on n U examples (the `none` arm's data: neutral
// prompt, U and W) and count the steps until its neutral-prompt U rate on held-out tasks reaches a
// threshold (0.5), for n in {1, 4, 16, 64}. A fixed number of steps says little (any model, even one that
// never saw U, learns a one-token habit from 16 examples in 20 steps); steps-to-threshold against a
// never-exposed reference (the prior, or `filter`), paired by seed, says whether a method made U harder or
// easier to bring back than it is to learn from scratch.
import { MaskedAdamW, StopRequested, tf, yieldToEventLoop, type Rng, type RunContext } from '@routelab/core';
import { disposeBatch, makeBatch } from '../model/batch.ts';
import { meanLoss } from '../model/loss.ts';
import type { Transformer } from '../model/transformer.ts';
import { stage2Examples } from '../world/datasets.ts';
import { evalItems } from '../world/eval.ts';
import type { EncodedSequence, World } from '../world/world.ts';
import type { PersonaConfig } from './config.ts';
import { retainAndForgetLoss, uRate } from './evaluate.ts';

/** The attack sizes of the gradient routing paper's relearning experiment. */
export const RELEARN_COUNTS = [1, 4, 16, 64] as const;
export const RELEARN_THRESHOLD = 0.5;

export interface RelearnOptions {
  /** Attack sizes n (U examples the attacker fine-tunes on; each step is one full batch of them). */
  counts: readonly number[];
  /** Give up after this many steps: the attack is then right-censored (stepsToThreshold null). */
  maxSteps: number;
  /** Measure the U rate (and the forget loss) every this many steps, and at step 0. */
  evalEvery: number;
  lr: number;
  weightDecay: number;
  /** Held-out tasks per family whose neutral-prompt U rate is measured. */
  evalPerFamily: number;
  /** U rate that counts as relearned (default 0.5). */
  threshold?: number;
}

export interface RelearnAttack {
  n: number;
  /**
   * First measured step at which the neutral U rate reached the threshold (0 if it already had); null when it
   * did not within maxSteps. Resolution is evalEvery steps.
   */
  stepsToThreshold: number | null;
  /** U rate (neutral prompt, greedy) and forget loss (U tokens of held-out U answers) at each measured step. */
  curve: { step: number; uRate: number; forgetLoss: number }[];
}

export interface RelearningSummary {
  threshold: number;
  maxSteps: number;
  evalEvery: number;
  lr: number;
  /** Neutral U rate of the attacked model before any attack step. */
  initialURate: number;
  /** One attack per n, each from the same starting weights, in the order of RelearnOptions.counts. */
  attacks: RelearnAttack[];
}

/** The attack settings of an experiment config (counts: `relearnCounts` when the config has it, else RELEARN_COUNTS). */
export function relearnOptions(
  config: Pick<PersonaConfig, 'relearnSteps' | 'relearnEvery' | 'relearnLr' | 'weightDecay' | 'relearnEvalPerFamily'> & { relearnCounts?: readonly number[] },
): RelearnOptions {
  return {
    counts: config.relearnCounts ?? RELEARN_COUNTS,
    maxSteps: config.relearnSteps,
    evalEvery: config.relearnEvery,
    lr: config.relearnLr,
    weightDecay: config.weightDecay,
    evalPerFamily: config.relearnEvalPerFamily,
  };
}

async function checkStop(ctx: RunContext): Promise<void> {
  await yieldToEventLoop();
  if (ctx.stopRequested()) throw new StopRequested();
}

/**
 * Attacks `model` once per n; the model's weights are restored after each attack and at the end (also on
 * error or stop), so the caller gets its model back unchanged.
 */
export async function relearn(
  model: Transformer,
  world: World,
  options: RelearnOptions,
  rng: Rng,
  forgetExamples: readonly EncodedSequence[],
  ctx: RunContext,
  label: string,
): Promise<RelearningSummary> {
  const threshold = options.threshold ?? RELEARN_THRESHOLD;
  for (const [field, value] of [['maxSteps', options.maxSteps], ['evalEvery', options.evalEvery]] as const) {
    if (!(Number.isInteger(value) && value >= 1)) throw new RangeError(`relearn: ${field} must be a positive integer, got ${value}`);
  }
  const badCount = options.counts.find((n) => !(Number.isInteger(n) && n >= 1));
  if (badCount !== undefined || options.counts.length === 0) throw new RangeError(`relearn: counts must be positive integers, got [${options.counts.join(', ')}]`);
  const items = evalItems(world, rng.split('items'), options.evalPerFamily).filter((i) => i.condition === 'neutral');
  // One pool of attack data: the attack on n examples uses its first n, so larger attacks include smaller ones.
  const pool = stage2Examples(world, 'none', rng.split('data'), Math.max(...options.counts), { uFraction: 1 });
  const saved = tf.tidy(() => Object.fromEntries(model.namedParameters().map(([name, v]) => [name, tf.add(v, 0)])));
  // The optimiser's in-place kernels copy a buffer that a variable shares before writing it, so the saved
  // weights survive any number of restores.
  const restore = () => model.loadStateDict(saved);
  const measure = async (step: number) => ({
    step,
    uRate: await uRate(model, world, items, { temperature: 0 }),
    forgetLoss: (await retainAndForgetLoss(model, { clean: [], withU: forgetExamples })).forgetLoss,
  });
  try {
    const start = await measure(0);
    const attacks: RelearnAttack[] = [];
    for (const n of options.counts) {
      const curve = [start];
      let stepsToThreshold: number | null = start.uRate >= threshold ? 0 : null;
      const batch = makeBatch(pool.slice(0, n), model.config.maxLen, { width: 'longest' });
      const optimizer = new MaskedAdamW(model.namedParameters(), { lr: options.lr, weightDecay: options.weightDecay });
      try {
        for (let step = 1; step <= options.maxSteps && stepsToThreshold === null; step++) {
          await checkStop(ctx);
          await optimizer.minimize(() => meanLoss(model, batch));
          if (step % options.evalEvery === 0 || step === options.maxSteps) {
            const point = await measure(step);
            curve.push(point);
            if (point.uRate >= threshold) stepsToThreshold = step;
          }
          ctx.progress({ phase: `${label} relearning n=${n}`, done: step, total: options.maxSteps });
        }
      } finally {
        optimizer.dispose();
        disposeBatch(batch);
        restore();
      }
      attacks.push({ n, stepsToThreshold, curve });
    }
    return { threshold, maxSteps: options.maxSteps, evalEvery: options.evalEvery, lr: options.lr, initialURate: start.uRate, attacks };
  } finally {
    restore();
    tf.dispose(Object.values(saved));
  }
}

// Means, paired differences and any statistic of arm means, each with a paired hierarchical bootstrap
// interval over seeds (and eval items within seeds where given). See bootstrap_engine.ts for the method.

import {
  finishInterval,
  makeRng,
  observedMeans,
  resampleArmMeans,
  resolveOptions,
  type ArmMeans,
  type BootstrapInterval,
  type BootstrapOptions,
} from './bootstrap_engine.ts';
import { prepareArms, type SeedSamples } from './seed_samples.ts';

/**
 * Any statistic of the arms' means with its interval, e.g. (m) => m.routed - m.none. Arms are paired by seed
 * (and by item within a seed). `statistic` is called once per resample with that resample's arm means.
 */
export function bootstrapStatistic(
  arms: Readonly<Record<string, SeedSamples>>,
  statistic: (means: ArmMeans) => number,
  options: BootstrapOptions = {},
): BootstrapInterval {
  const caller = 'bootstrapStatistic';
  return bootstrapWith(arms, statistic, options, caller);
}

/** One arm's mean over seeds with its interval (pass bounds [0, 1] for a rate). */
export function bootstrapMean(values: SeedSamples, options: BootstrapOptions = {}): BootstrapInterval {
  const caller = 'bootstrapMean';
  const { bounds } = resolveOptions(options, caller);
  if (bounds) {
    // A rate of 1.3 is a bug upstream, not something to clip away.
    values.forEach((seed, s) => {
      const items = Array.isArray(seed) ? (seed as readonly number[]) : [seed as number];
      items.forEach((v, j) => {
        if (v < bounds[0] || v > bounds[1]) {
          throw new RangeError(`${caller}: values[${s}]${Array.isArray(seed) ? `[${j}]` : ''} = ${v} lies outside bounds [${bounds[0]}, ${bounds[1]}]`);
        }
      });
    });
  }
  return bootstrapWith({ values }, (m) => m.values!, options, caller);
}

/**
 * The paired difference mean(a) - mean(b) (arm minus baseline) with its interval; perSeed holds each seed's
 * difference (what signFlipTest takes). For rates pass bounds [-1, 1].
 */
export function bootstrapPairedDifference(a: SeedSamples, b: SeedSamples, options: BootstrapOptions = {}): BootstrapInterval {
  return bootstrapWith({ a, b }, (m) => m.a! - m.b!, options, 'bootstrapPairedDifference');
}

function bootstrapWith(
  armSamples: Readonly<Record<string, SeedSamples>>,
  statistic: (means: ArmMeans) => number,
  options: BootstrapOptions,
  caller: string,
): BootstrapInterval {
  const resolved = resolveOptions(options, caller);
  const arms = prepareArms(armSamples, caller);
  const observed = observedMeans(arms);
  const resampled = resampleArmMeans(arms, resolved.replicates, makeRng(resolved.seed));
  const replicateValues = new Float64Array(resolved.replicates);
  for (let r = 0; r < resolved.replicates; r++) {
    const means: Record<string, number> = {};
    arms.names.forEach((name, a) => (means[name] = resampled[a]![r]!));
    replicateValues[r] = statistic(means);
  }
  const perSeed = observed.perSeed.map(statistic);
  return finishInterval(statistic(observed.overall), replicateValues, perSeed, arms.seeds, resolved, caller);
}

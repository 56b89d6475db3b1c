// Ratios of arm-mean expressions with intervals from the same paired bootstrap, e.g. the conditionalization
// share (none - control) / (none - ip) or capability retained arm / none. Numerator and denominator come from
// the same resamples, so their correlation is kept. A ratio whose denominator might be 0 has no interval
// worth printing: when the denominator's own interval includes 0 the ratio is reported as undefined, with
// the reason, rather than as a huge or sign-flipping interval.

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

export interface RatioInterval extends BootstrapInterval {
  /** The numerator expression with its interval (no bounds applied). */
  numerator: BootstrapInterval;
  /** The denominator expression with its interval; the ratio is undefined when this includes 0. */
  denominator: BootstrapInterval;
}

/**
 * numerator(means) / denominator(means) with its interval. `options.bounds` bounds the ratio; give it only
 * when the ratio cannot leave them (a conditionalization share can exceed 1 when the control hurts more
 * than none). perSeed holds each seed's own ratio (Infinity or NaN where that seed's denominator is 0).
 */
export function bootstrapRatio(
  arms: Readonly<Record<string, SeedSamples>>,
  numerator: (means: ArmMeans) => number,
  denominator: (means: ArmMeans) => number,
  options: BootstrapOptions = {},
): RatioInterval {
  const caller = 'bootstrapRatio';
  const resolved = resolveOptions(options, caller);
  const unbounded = { ...resolved, bounds: null };
  const prepared = prepareArms(arms, caller);
  const observed = observedMeans(prepared);
  const resampled = resampleArmMeans(prepared, resolved.replicates, makeRng(resolved.seed));
  const numeratorValues = new Float64Array(resolved.replicates);
  const denominatorValues = new Float64Array(resolved.replicates);
  for (let r = 0; r < resolved.replicates; r++) {
    const means: Record<string, number> = {};
    prepared.names.forEach((name, a) => (means[name] = resampled[a]![r]!));
    numeratorValues[r] = numerator(means);
    denominatorValues[r] = denominator(means);
  }
  const n = prepared.seeds;
  const num = finishInterval(numerator(observed.overall), numeratorValues, observed.perSeed.map(numerator), n, unbounded, caller);
  const den = finishInterval(denominator(observed.overall), denominatorValues, observed.perSeed.map(denominator), n, unbounded, caller);
  const estimate = den.estimate === 0 ? NaN : num.estimate / den.estimate;
  const perSeed = num.perSeed.map((x, s) => x / den.perSeed[s]!);

  const denominatorSpansZero = !den.defined || (den.lo <= 0 && den.hi >= 0);
  if (denominatorSpansZero) {
    const reason = den.defined
      ? `denominator ${fmt(den.estimate)} with interval [${fmt(den.lo)}, ${fmt(den.hi)}] includes 0: the ratio is undefined`
      : `denominator has no interval (${den.reason}): the ratio is undefined`;
    return {
      estimate, lo: NaN, hi: NaN, level: resolved.level, n, perSeed, replicates: resolved.replicates,
      bounds: resolved.bounds, clipped: false, defined: false, reason, numerator: num, denominator: den,
    };
  }
  const ratioValues = numeratorValues.map((x, r) => x / denominatorValues[r]!);
  const ratio = finishInterval(estimate, ratioValues, perSeed, n, resolved, caller);
  return { ...ratio, numerator: num, denominator: den };
}

const fmt = (x: number) => String(Number(x.toPrecision(3)));

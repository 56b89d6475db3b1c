// The one rule every report uses to call a contrast significant, and the paired contrast that feeds it.
// A contrast is significant only when all three hold:
//   - its Holm-adjusted p (over the family of contrasts the report tests) is below alpha,
//   - its interval excludes 0,
//   - its interval has non-zero width (all seeds agreeing exactly is a degenerate result, not certainty).
// Otherwise the decision says why, in words a report can print.

import { bootstrapPairedDifference } from './bootstrap.ts';
import type { BootstrapInterval, BootstrapOptions } from './bootstrap_engine.ts';
import { holmAdjust } from './holm.ts';
import type { SeedSamples } from './seed_samples.ts';
import { signFlipTest, type SignFlipOptions, type SignFlipResult } from './sign_flip.ts';

/** What the rule needs about one contrast; a PairedContrast is one. */
export interface ContrastEvidence {
  /** Unadjusted two-sided p-value. */
  pValue: number;
  /** Smallest p the test could give with this many seeds (signFlipTest's minAttainableP). */
  minAttainableP: number;
  /** Seeds. */
  n: number;
  /** The contrast's interval; `defined: false` (e.g. an undefined ratio) counts as no interval. */
  interval: { lo: number; hi: number; defined?: boolean; reason?: string | null };
}

export interface SignificanceDecision {
  significant: boolean;
  /** The p compared with alpha (Holm-adjusted within its family). */
  adjustedP: number;
  /** Why it is or is not significant, e.g. "n=3: min attainable p 0.25 >= alpha 0.05, not testable". */
  reason: string;
}

export interface DecisionOptions {
  /** Default 0.05. */
  alpha?: number;
  /** The Holm-adjusted p of this contrast within its family (default: its own p, a family of one). */
  adjustedP?: number;
  /** Contrasts in the family, for the wording (default 1). */
  familySize?: number;
  /**
   * The smallest Holm-adjusted p the family can produce: familySize x the smallest minAttainableP in it
   * (decideFamily computes it). At or above alpha, no contrast of the family can be significant.
   */
  familyFloorP?: number;
}

const fmt = (x: number) => String(Number(x.toPrecision(3)));

/** Applies the rule to one contrast. Prefer decideFamily, which Holm-adjusts over all of a report's contrasts. */
export function decideSignificance(evidence: ContrastEvidence, options: DecisionOptions = {}): SignificanceDecision {
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`decideSignificance: alpha must be in (0, 1), got ${alpha}`);
  const adjustedP = options.adjustedP ?? evidence.pValue;
  if (!(adjustedP >= 0 && adjustedP <= 1)) throw new RangeError(`decideSignificance: p must be in [0, 1], got ${adjustedP}`);
  const familySize = options.familySize ?? 1;
  const pName = familySize > 1 ? `Holm-adjusted p (family of ${familySize})` : 'p';
  const { lo, hi, defined = true } = evidence.interval;
  const against: string[] = [];

  if (!defined || !Number.isFinite(lo) || !Number.isFinite(hi)) {
    against.push(`no interval${evidence.interval.reason ? ` (${evidence.interval.reason})` : ''}`);
  } else if (hi - lo <= 1e-12 * Math.max(1, Math.abs(lo), Math.abs(hi))) {
    against.push(evidence.n <= 1 ? 'n=1: one seed gives no interval' : `all seeds equal (zero-width interval at ${fmt(lo)})`);
  } else if (lo <= 0 && hi >= 0) {
    against.push(`interval [${fmt(lo)}, ${fmt(hi)}] includes 0`);
  }
  if (evidence.minAttainableP >= alpha) {
    against.push(`n=${evidence.n}: min attainable p ${fmt(evidence.minAttainableP)} >= alpha ${alpha}, not testable`);
  } else if (options.familyFloorP !== undefined && options.familyFloorP >= alpha) {
    against.push(`n=${evidence.n} in a family of ${familySize}: no Holm-adjusted p can go below ${fmt(options.familyFloorP)} >= alpha ${alpha}, not testable`);
  } else if (adjustedP >= alpha) {
    against.push(`${pName} ${fmt(adjustedP)} >= alpha ${alpha}`);
  }
  if (against.length > 0) return { significant: false, adjustedP, reason: against.join('; ') };
  return { significant: true, adjustedP, reason: `${pName} ${fmt(adjustedP)} < alpha ${alpha}; interval [${fmt(lo)}, ${fmt(hi)}] excludes 0` };
}

/** Holm-adjusts the family's p-values together and applies the rule to each contrast; results in input order. */
export function decideFamily(family: readonly ContrastEvidence[], alpha = 0.05): SignificanceDecision[] {
  const adjusted = holmAdjust(family.map((c) => c.pValue));
  // Every Holm-adjusted p is at least m times the family's smallest p, which is at least its smallest floor.
  const familyFloorP = Math.min(1, family.length * Math.min(...family.map((c) => c.minAttainableP)));
  return family.map((c, i) => decideSignificance(c, { alpha, adjustedP: adjusted[i]!, familySize: family.length, familyFloorP }));
}

/**
 * Fewest seeds with which a sign-flip test can be significant at alpha inside a Holm family of `familySize`
 * contrasts: the smallest n with familySize x 2 / 2^n < alpha (alpha 0.05: 6 seeds alone, 8 for a family
 * of 6, 12 for a family of 84). Choose the family a report tests (its headline contrasts) with this in mind.
 */
export function minSeedsForSignificance(familySize: number, alpha = 0.05): number {
  if (!Number.isInteger(familySize) || familySize < 1) throw new RangeError(`minSeedsForSignificance: familySize must be a whole number >= 1, got ${familySize}`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`minSeedsForSignificance: alpha must be in (0, 1), got ${alpha}`);
  let n = 1;
  while ((familySize * 2) / 2 ** n >= alpha) n += 1;
  return n;
}

export interface PairedContrast extends ContrastEvidence {
  /** mean(arm) - mean(baseline) with its bootstrap interval; perSeed holds each seed's difference. */
  interval: BootstrapInterval;
  signFlip: SignFlipResult;
}

export interface PairedContrastOptions extends BootstrapOptions {
  signFlip?: SignFlipOptions;
}

/**
 * Arm minus baseline, paired by seed (and by item within a seed when items are given): the bootstrap interval
 * of the difference and the sign-flip test of the per-seed differences. For rates pass bounds [-1, 1].
 */
export function pairedContrast(arm: SeedSamples, baseline: SeedSamples, options: PairedContrastOptions = {}): PairedContrast {
  const { signFlip: signFlipOptions, ...bootstrapOptions } = options;
  const interval = bootstrapPairedDifference(arm, baseline, bootstrapOptions);
  const signFlip = signFlipTest(interval.perSeed, { seed: bootstrapOptions.seed, ...signFlipOptions });
  return { interval, signFlip, pValue: signFlip.pValue, minAttainableP: signFlip.minAttainableP, n: interval.n };
}

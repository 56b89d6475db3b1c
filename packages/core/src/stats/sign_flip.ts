// Exact paired sign-flip test (Fisher-Pitman permutation test) on per-seed differences arm - baseline.
// Under "no effect" each seed's difference is as likely to have come out negated, so the 2^n sign patterns
// are equally likely and the two-sided p-value is the share of them whose |sum| is at least the observed one.
//
// Few seeds cap what this (or any exact test of the same null) can show: the observed pattern and its negation
// always count, so the smallest two-sided p with n seeds is 2 / 2^n. n = 3 gives 0.25, n = 4 0.125,
// n = 5 0.0625 and n = 6 0.03125: below 6 seeds nothing is significant at alpha 0.05. `minAttainableP` says so,
// so a report can write "not testable at alpha with n seeds" instead of "no effect".

import { Rng } from '../rng/rng.ts';

export interface SignFlipOptions {
  /** Enumerate all 2^n patterns up to this many seeds (default 16, 65 536 patterns); sample above it. */
  maxExactN?: number;
  /** Random sign patterns drawn when n > maxExactN (default 100 000). */
  samples?: number;
  /** Seed of the Monte Carlo stream (default 'sign-flip'); unused when the test is exact. */
  seed?: number | string;
}

export interface SignFlipResult {
  /** Two-sided p-value. */
  pValue: number;
  /** Mean of the differences (the observed effect). */
  meanDifference: number;
  n: number;
  /** Differences that are not 0; zeros carry no sign, so only these count towards what is attainable. */
  nonZero: number;
  /** Smallest p this test could have returned on these seeds: 2 / 2^nonZero (at most 1). */
  minAttainableP: number;
  /** True when all 2^n patterns were enumerated; false for a Monte Carlo estimate. */
  exact: boolean;
  /** Patterns enumerated (2^n) or drawn. */
  patterns: number;
}

/** Smallest two-sided p-value a sign-flip test can reach with n seeds: 2 / 2^n, capped at 1. */
export function minAttainableSignFlipP(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`minAttainableSignFlipP: n must be a whole number >= 0, got ${n}`);
  return Math.min(1, 2 / 2 ** n);
}

const DEFAULT_MAX_EXACT_N = 16;
const DEFAULT_SAMPLES = 100_000;

/** Sign-flip test of the per-seed differences (arm - baseline, one number per seed). */
export function signFlipTest(differences: readonly number[], options: SignFlipOptions = {}): SignFlipResult {
  const n = differences.length;
  if (n === 0) throw new RangeError('signFlipTest: differences is empty');
  differences.forEach((d, i) => {
    if (!Number.isFinite(d)) throw new RangeError(`signFlipTest: differences[${i}] is ${d}`);
  });
  const maxExactN = options.maxExactN ?? DEFAULT_MAX_EXACT_N;
  if (!Number.isInteger(maxExactN) || maxExactN < 0 || maxExactN > 24) {
    throw new RangeError(`signFlipTest: maxExactN must be a whole number in [0, 24], got ${maxExactN}`);
  }
  const samples = options.samples ?? DEFAULT_SAMPLES;
  if (!Number.isInteger(samples) || samples < 1) throw new RangeError(`signFlipTest: samples must be a whole number >= 1, got ${samples}`);

  const observed = Math.abs(differences.reduce((a, b) => a + b, 0));
  const nonZero = differences.filter((d) => d !== 0).length;
  const meanDifference = differences.reduce((a, b) => a + b, 0) / n;
  // Patterns whose |sum| equals the observed one in exact arithmetic can differ from it by rounding.
  const scale = differences.reduce((a, d) => a + Math.abs(d), 0);
  const threshold = observed - 1e-9 * scale;
  const base = { meanDifference, n, nonZero, minAttainableP: minAttainableSignFlipP(nonZero) };

  if (n <= maxExactN) {
    const patterns = 2 ** n;
    let atLeastAsExtreme = 0;
    for (let mask = 0; mask < patterns; mask++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += mask & (1 << i) ? -differences[i]! : differences[i]!;
      if (Math.abs(sum) >= threshold) atLeastAsExtreme += 1;
    }
    return { ...base, pValue: atLeastAsExtreme / patterns, exact: true, patterns };
  }

  // Monte Carlo: the observed pattern counts as one draw, so p is never 0 (and is a valid p-value).
  const rng = Rng.fromSeed(options.seed ?? 'sign-flip');
  let atLeastAsExtreme = 0;
  for (let s = 0; s < samples; s++) {
    let sum = 0;
    let bits = 0;
    for (let i = 0; i < n; i++) {
      if (i % 32 === 0) bits = rng.nextUint32();
      sum += bits & (1 << (i % 32)) ? -differences[i]! : differences[i]!;
    }
    if (Math.abs(sum) >= threshold) atLeastAsExtreme += 1;
  }
  return {
    ...base,
    minAttainableP: Math.max(base.minAttainableP, 1 / (samples + 1)),
    pValue: (1 + atLeastAsExtreme) / (1 + samples),
    exact: false,
    patterns: samples,
  };
}

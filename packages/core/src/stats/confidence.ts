// Means with 95% confidence intervals over seeds (Student's t, since seed counts are small), and paired
// differences (arm minus baseline, seed by seed), which is how every result in a routelab report is stated.

export interface Interval {
  mean: number;
  /** Half-width of the 95% interval (0 when n == 1: no interval can be given; see `n`). */
  halfWidth: number;
  lo: number;
  hi: number;
  n: number;
  std: number;
}

// Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom; beyond, the normal 1.96 is close.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(degreesOfFreedom: number): number {
  if (degreesOfFreedom < 1) return NaN;
  return T975[degreesOfFreedom - 1] ?? 1.96;
}

export function meanInterval(values: readonly number[]): Interval {
  const n = values.length;
  if (n === 0) throw new Error('meanInterval: no values');
  if (values.some((v) => !Number.isFinite(v))) throw new Error(`meanInterval: non-finite value in [${values.join(', ')}]`);
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  const std = Math.sqrt(variance);
  const halfWidth = n > 1 ? tQuantile975(n - 1) * (std / Math.sqrt(n)) : 0;
  return { mean, halfWidth, lo: mean - halfWidth, hi: mean + halfWidth, n, std };
}

/**
 * Interval of the seed-by-seed differences a[i] - b[i]. `significant` needs an interval of non-zero width
 * that excludes 0 (seeds that all differ by exactly the same amount give a zero-width t-interval, which is
 * no evidence). Reports should use pairedContrast and decideFamily (decision.ts), which add an exact test
 * and multiple-comparison correction.
 */
export function pairedDifference(a: readonly number[], b: readonly number[]): Interval & { significant: boolean } {
  if (a.length !== b.length) throw new Error(`pairedDifference: ${a.length} values against ${b.length}`);
  const diff = meanInterval(a.map((v, i) => v - b[i]!));
  return { ...diff, significant: diff.n > 1 && diff.halfWidth > 0 && (diff.lo > 0 || diff.hi < 0) };
}

/** True when the two intervals do not overlap (a conservative test of a difference). */
export function disjoint(a: Interval, b: Interval): boolean {
  return a.hi < b.lo || b.hi < a.lo;
}

export function formatInterval(i: Interval, digits = 3): string {
  return i.n > 1 ? `${i.mean.toFixed(digits)} ± ${i.halfWidth.toFixed(digits)}` : `${i.mean.toFixed(digits)} (n=1)`;
}

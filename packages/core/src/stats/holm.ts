// Holm-Bonferroni step-down correction over a family of p-values (every contrast a report tests together).
// It controls the chance of any false "significant" in the family at alpha, like Bonferroni, but rejects more:
// the k-th smallest p is multiplied by (m - k + 1), not m, and adjusted values are made non-decreasing.

/** Holm-adjusted p-values, in the order given (compare each with alpha directly). */
export function holmAdjust(pValues: readonly number[]): number[] {
  pValues.forEach((p, i) => {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`holmAdjust: pValues[${i}] must be in [0, 1], got ${p}`);
  });
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  const adjusted = new Array<number>(m);
  let runningMax = 0;
  order.forEach(({ p, i }, rank) => {
    runningMax = Math.max(runningMax, Math.min(1, (m - rank) * p));
    adjusted[i] = runningMax;
  });
  return adjusted;
}

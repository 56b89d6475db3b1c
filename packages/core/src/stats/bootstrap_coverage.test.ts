// Coverage sanity checks by simulation: the 95% interval should contain the true value in about 95% of
// datasets. With 200 datasets the binomial sd of the observed coverage is ~1.5 points, so the band below is
// about +-3 sd around 95%; the plain percentile interval (~89% at n = 8) would fail its lower edge.
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng/rng.ts';
import { bootstrapMean, bootstrapPairedDifference } from './bootstrap.ts';

describe('bootstrap interval coverage', () => {
  it('covers a normal mean from 8 seeds about 95% of the time', () => {
    const rng = Rng.fromSeed('coverage.normal');
    const datasets = 200;
    let covered = 0;
    for (let d = 0; d < datasets; d++) {
      const values = Array.from({ length: 8 }, () => 0.3 + 0.1 * rng.normal());
      const i = bootstrapMean(values, { replicates: 1000, seed: d });
      if (i.lo <= 0.3 && 0.3 <= i.hi) covered += 1;
    }
    const coverage = covered / datasets;
    expect(coverage).toBeGreaterThanOrEqual(0.91);
    expect(coverage).toBeLessThanOrEqual(0.99);
  });

  it('with items resampled within seeds, a paired difference of rates from 6 seeds is covered at least ~95%', () => {
    // Each seed has its own base rate (seed-to-seed spread) and 12 Bernoulli eval items per arm, paired by
    // item; the arm's rate is the base plus 0.15, the true difference. Resampling items inside resampled
    // seeds is conservative (item noise counted twice): the check is that it never under-covers.
    const rng = Rng.fromSeed('coverage.items');
    const datasets = 200;
    let covered = 0;
    for (let d = 0; d < datasets; d++) {
      const a: number[][] = [];
      const b: number[][] = [];
      for (let s = 0; s < 6; s++) {
        const base = Math.min(0.8, Math.max(0.05, 0.4 + 0.08 * rng.normal()));
        b.push(Array.from({ length: 12 }, () => (rng.uniform() < base ? 1 : 0)));
        a.push(Array.from({ length: 12 }, () => (rng.uniform() < base + 0.15 ? 1 : 0)));
      }
      const i = bootstrapPairedDifference(a, b, { replicates: 800, seed: d, bounds: [-1, 1] });
      if (i.lo <= 0.15 && 0.15 <= i.hi) covered += 1;
    }
    expect(covered / datasets).toBeGreaterThanOrEqual(0.93);
  });
});

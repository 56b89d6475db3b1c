import { describe, expect, it } from 'vitest';
import { minAttainableSignFlipP, signFlipTest } from './sign_flip.ts';

describe('signFlipTest', () => {
  it('n=5 all-positive differences: exact p = 2/32 = 0.0625, the smallest attainable', () => {
    const r = signFlipTest([0.1, 0.3, 0.2, 0.5, 0.4]);
    expect(r.exact).toBe(true);
    expect(r.pValue).toBe(0.0625);
    expect(r.minAttainableP).toBe(0.0625);
    expect(r.meanDifference).toBeCloseTo(0.3, 12);
  });

  it('minimum attainable p is 2 / 2^n', () => {
    expect(minAttainableSignFlipP(3)).toBe(0.25);
    expect(minAttainableSignFlipP(6)).toBe(0.03125);
    expect(minAttainableSignFlipP(0)).toBe(1);
    expect(minAttainableSignFlipP(1)).toBe(1);
  });

  it('counts patterns by hand on a small case', () => {
    // d = [1, 2, 3], |sum| = 6. Sums over the 8 sign patterns: +-6, +-4 (flip 1), +-2 (flip 2), 0 (flip 3).
    // Only +-6 reach 6: p = 2/8. With d = [3, 1, -1] (|sum| 3) the |sums| are 3, 3 (flip 1), 1 (flip 2),
    // 5 (flip 3), 5 (flip 1, 2), 1 (flip 1, 3), 3 (flip 2, 3), 3 (all): 6 of 8 reach 3.
    expect(signFlipTest([1, 2, 3]).pValue).toBe(0.25);
    expect(signFlipTest([3, 1, -1]).pValue).toBe(0.75);
  });

  it('all seeds equal to 0 gives p = 1; zeros do not add attainable precision', () => {
    const zeros = signFlipTest([0, 0, 0, 0]);
    expect(zeros.pValue).toBe(1);
    expect(zeros.minAttainableP).toBe(1);
    const someZeros = signFlipTest([0, 0, 0.2, 0.3, 0.1]);
    expect(someZeros.nonZero).toBe(3);
    expect(someZeros.pValue).toBe(0.25);
    expect(someZeros.minAttainableP).toBe(0.25);
  });

  it('treats sums equal up to rounding as ties', () => {
    // 0.1 + 0.2 and 0.3 give |sum| 0.6 with patterns that differ only by rounding.
    expect(signFlipTest([0.1, 0.2, -0.3, 0.6]).pValue).toBe(signFlipTest([1, 2, -3, 6]).pValue);
  });

  it('Monte Carlo above maxExactN is seeded, deterministic and close to the exact value', () => {
    const d = [0.3, -0.1, 0.2, 0.25, 0.05, -0.02, 0.15, 0.4, 0.1, -0.05, 0.2, 0.12];
    const exact = signFlipTest(d);
    const mc = signFlipTest(d, { maxExactN: 8, samples: 20_000, seed: 7 });
    expect(mc.exact).toBe(false);
    expect(mc.pValue).toBe(signFlipTest(d, { maxExactN: 8, samples: 20_000, seed: 7 }).pValue);
    // Binomial sd of the estimate is sqrt(p (1 - p) / 20000) < 0.0036; allow 4 sd.
    expect(Math.abs(mc.pValue - exact.pValue)).toBeLessThan(0.015);
  });

  it('with 20 seeds all positive the Monte Carlo p is at its floor 1 / (samples + 1)', () => {
    const r = signFlipTest(Array.from({ length: 20 }, (_, i) => 0.1 + i / 100), { samples: 1000 });
    expect(r.pValue).toBeCloseTo(1 / 1001, 12);
    expect(r.minAttainableP).toBeCloseTo(1 / 1001, 12);
  });

  it('names bad input', () => {
    expect(() => signFlipTest([])).toThrow(/differences is empty/);
    expect(() => signFlipTest([0.1, NaN])).toThrow(/differences\[1\] is NaN/);
    expect(() => signFlipTest([1], { samples: 0 })).toThrow(/samples must be a whole number >= 1, got 0/);
  });
});

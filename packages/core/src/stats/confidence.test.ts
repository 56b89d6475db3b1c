import { describe, expect, it } from 'vitest';
import { disjoint, formatInterval, meanInterval, pairedDifference, tQuantile975 } from './confidence.ts';

describe('confidence intervals', () => {
  it('matches a hand computation with Student t', () => {
    // values 1, 2, 3: mean 2, sd 1, se 1/sqrt(3), t(2) = 4.303
    const i = meanInterval([1, 2, 3]);
    expect(i.mean).toBe(2);
    expect(i.std).toBeCloseTo(1, 12);
    expect(i.halfWidth).toBeCloseTo(4.303 / Math.sqrt(3), 10);
    expect(i.lo).toBeCloseTo(2 - 4.303 / Math.sqrt(3), 10);
    expect(tQuantile975(100)).toBe(1.96);
  });

  it('gives no interval for a single seed and says so when formatted', () => {
    const i = meanInterval([0.5]);
    expect(i.halfWidth).toBe(0);
    expect(formatInterval(i)).toBe('0.500 (n=1)');
  });

  it('paired differences are significant only when the interval excludes 0', () => {
    expect(pairedDifference([1.1, 1.2, 1.15], [0.1, 0.2, 0.1]).significant).toBe(true);
    expect(pairedDifference([1, 2, 3], [2, 1, 3]).significant).toBe(false);
    expect(() => pairedDifference([1], [1, 2])).toThrow(/1 values against 2/);
  });

  it('a zero-width interval (every seed differs by the same amount) is not significant', () => {
    const d = pairedDifference([0.5, 0.75, 0.25], [0.25, 0.5, 0]);
    expect([d.lo, d.hi]).toEqual([0.25, 0.25]);
    expect(d.significant).toBe(false);
  });

  it('rejects non-finite values, naming them', () => {
    expect(() => meanInterval([1, NaN])).toThrow(/non-finite value in \[1, NaN\]/);
    expect(() => meanInterval([])).toThrow(/no values/);
  });

  it('disjoint intervals', () => {
    expect(disjoint(meanInterval([1, 1.1, 0.9]), meanInterval([5, 5.1, 4.9]))).toBe(true);
    expect(disjoint(meanInterval([1, 2, 3]), meanInterval([2, 3, 4]))).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { decideFamily, decideSignificance, minSeedsForSignificance, pairedContrast } from './decision.ts';

const evidence = (pValue: number, lo: number, hi: number, n = 8) => ({ pValue, minAttainableP: 2 / 2 ** n, n, interval: { lo, hi } });

describe('decideSignificance', () => {
  it('is significant only with small p, an interval excluding 0 and non-zero width', () => {
    const yes = decideSignificance(evidence(0.008, 0.05, 0.2));
    expect(yes.significant).toBe(true);
    expect(yes.reason).toBe('p 0.008 < alpha 0.05; interval [0.05, 0.2] excludes 0');
    expect(decideSignificance(evidence(0.008, -0.01, 0.2)).reason).toBe('interval [-0.01, 0.2] includes 0');
    expect(decideSignificance(evidence(0.2, 0.05, 0.2)).reason).toBe('p 0.2 >= alpha 0.05');
  });

  it('never calls a zero-width interval significant', () => {
    // Eight seeds all with difference 0.1: the sign-flip p is 2/256, but nothing varies.
    const d = decideSignificance(evidence(2 / 256, 0.1, 0.1));
    expect(d.significant).toBe(false);
    expect(d.reason).toBe('all seeds equal (zero-width interval at 0.1)');
  });

  it('says when too few seeds make the test unable to reach alpha', () => {
    const d = decideSignificance(evidence(0.25, 0.05, 0.3, 3));
    expect(d.significant).toBe(false);
    expect(d.reason).toBe('n=3: min attainable p 0.25 >= alpha 0.05, not testable');
  });

  it('treats an undefined interval as no interval and passes its reason on', () => {
    const d = decideSignificance({ ...evidence(0.001, NaN, NaN), interval: { lo: NaN, hi: NaN, defined: false, reason: 'denominator includes 0' } });
    expect(d.reason).toBe('no interval (denominator includes 0)');
  });

  it('names a bad alpha', () => {
    expect(() => decideSignificance(evidence(0.01, 0.1, 0.2), { alpha: 5 })).toThrow(/alpha must be in \(0, 1\), got 5/);
  });
});

describe('decideFamily', () => {
  it('Holm-adjusts across the family before deciding', () => {
    // Raw 0.01, 0.04, 0.03, 0.005 -> Holm 0.03, 0.06, 0.06, 0.02: the second and third no longer pass.
    const decisions = decideFamily([evidence(0.01, 0.1, 0.2), evidence(0.04, 0.1, 0.2), evidence(0.03, 0.1, 0.2), evidence(0.005, 0.1, 0.2)]);
    expect(decisions.map((d) => d.significant)).toEqual([true, false, false, true]);
    expect(decisions[1]!.reason).toBe('Holm-adjusted p (family of 4) 0.06 >= alpha 0.05');
    expect(decisions[3]!.adjustedP).toBeCloseTo(0.02, 12);
  });
});

describe('family size against seeds', () => {
  it('says when the family is too large for the seeds to ever pass Holm', () => {
    // 6 seeds: min p 1/32; two contrasts: every Holm-adjusted p is at least 2/32 = 0.0625.
    const [first] = decideFamily([evidence(1 / 32, 0.1, 0.2, 6), evidence(1 / 32, 0.2, 0.3, 6)]);
    expect(first!.significant).toBe(false);
    expect(first!.reason).toBe('n=6 in a family of 2: no Holm-adjusted p can go below 0.0625 >= alpha 0.05, not testable');
  });

  it('minSeedsForSignificance: the smallest n with familySize * 2 / 2^n < alpha', () => {
    expect(minSeedsForSignificance(1)).toBe(6);
    expect(minSeedsForSignificance(6)).toBe(8);
    expect(minSeedsForSignificance(84)).toBe(12);
    expect(minSeedsForSignificance(1, 0.01)).toBe(8);
    expect(() => minSeedsForSignificance(0)).toThrow(/familySize must be a whole number >= 1, got 0/);
  });
});

describe('pairedContrast', () => {
  it('5 seeds all better: interval above 0 but min attainable p 0.0625, so not significant', () => {
    const c = pairedContrast([0.5, 0.6, 0.55, 0.7, 0.62], [0.3, 0.35, 0.3, 0.4, 0.33], { bounds: [-1, 1] });
    expect(c.pValue).toBe(0.0625);
    expect(c.interval.lo).toBeGreaterThan(0);
    const [d] = decideFamily([c]);
    expect(d!.significant).toBe(false);
    expect(d!.reason).toBe('n=5: min attainable p 0.0625 >= alpha 0.05, not testable');
  });

  it('10 seeds, a clear effect: significant', () => {
    const baseline = [0.3, 0.35, 0.3, 0.4, 0.33, 0.31, 0.29, 0.36, 0.38, 0.32];
    const arm = baseline.map((v, i) => v + 0.2 + (i % 3) * 0.02);
    const c = pairedContrast(arm, baseline, { bounds: [-1, 1], seed: 'arm-vs-none' });
    expect(c.pValue).toBeCloseTo(2 / 1024, 12);
    expect(c.interval.perSeed).toHaveLength(10);
    expect(decideFamily([c])[0]!.significant).toBe(true);
  });

  it('a constant difference is not significant whatever its p', () => {
    const baseline = [0.3, 0.35, 0.3, 0.4, 0.33, 0.31, 0.29, 0.36];
    const c = pairedContrast(baseline.map((v) => v + 0.25), baseline);
    expect(c.pValue).toBe(2 / 256);
    expect(c.interval.hi - c.interval.lo).toBeLessThan(1e-12);
    expect(decideFamily([c])[0]!.reason).toMatch(/^all seeds equal/);
  });
});

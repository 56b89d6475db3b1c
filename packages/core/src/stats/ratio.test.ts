import { describe, expect, it } from 'vitest';
import { bootstrapRatio } from './ratio.ts';

const share = (m: Readonly<Record<string, number>>) => m.none! - m.control!;
const effect = (m: Readonly<Record<string, number>>) => m.none! - m.ip!;

describe('bootstrapRatio', () => {
  it('gives the conditionalization share with an interval from shared resamples', () => {
    // Per seed none - ip = 0.4, 0.5, 0.45, 0.55, 0.5; none - control = 0.2, 0.2, 0.25, 0.25, 0.2.
    const arms = {
      none: [0.8, 0.9, 0.85, 0.95, 0.9],
      ip: [0.4, 0.4, 0.4, 0.4, 0.4],
      control: [0.6, 0.7, 0.6, 0.7, 0.7],
    };
    const r = bootstrapRatio(arms, share, effect, { seed: 1 });
    expect(r.defined).toBe(true);
    expect(r.estimate).toBeCloseTo(1.1 / 2.4, 12);
    expect(r.perSeed[0]).toBeCloseTo(0.5, 12);
    expect(r.lo).toBeLessThan(r.estimate);
    expect(r.hi).toBeGreaterThan(r.estimate);
    // The ratio of the resampled means lies between the smallest and largest per-seed ratios.
    expect(r.lo).toBeGreaterThanOrEqual(Math.min(...r.perSeed) - 1e-12);
    expect(r.hi).toBeLessThanOrEqual(Math.max(...r.perSeed) + 1e-12);
    expect(r.denominator.lo).toBeGreaterThan(0);
  });

  it('is undefined, and says why, when the denominator interval includes 0', () => {
    const arms = { none: [0.5, 0.6, 0.4, 0.5], ip: [0.55, 0.5, 0.45, 0.48], control: [0.5, 0.5, 0.5, 0.5] };
    const r = bootstrapRatio(arms, share, effect);
    expect(r.defined).toBe(false);
    expect(Number.isNaN(r.lo) && Number.isNaN(r.hi)).toBe(true);
    expect(r.reason).toMatch(/^denominator 0\.005 with interval \[-0\.0\d+, 0\.\d+\] includes 0: the ratio is undefined$/);
  });

  it('a denominator of exactly 0 everywhere gives NaN, not Infinity', () => {
    const r = bootstrapRatio({ none: [0.5, 0.5, 0.5], ip: [0.5, 0.5, 0.5], control: [0.4, 0.4, 0.3] }, share, effect);
    expect(r.defined).toBe(false);
    expect(Number.isNaN(r.estimate)).toBe(true);
  });

  it('capability retained arm / none, clipped to declared bounds', () => {
    const r = bootstrapRatio({ arm: [0.7, 0.72, 0.68, 0.71], none: [0.8, 0.79, 0.81, 0.8] }, (m) => m.arm!, (m) => m.none!, { bounds: [0, 1] });
    expect(r.estimate).toBeCloseTo(2.81 / 3.2, 12);
    expect(r.defined).toBe(true);
    expect(r.hi).toBeLessThanOrEqual(1);
    expect(r.numerator.estimate).toBeCloseTo(0.7025, 12);
  });
});

import { describe, expect, it } from 'vitest';
import { bootstrapMean, bootstrapPairedDifference, bootstrapStatistic } from './bootstrap.ts';
import { expandedTailProbability } from './bootstrap_engine.ts';

describe('bootstrapMean', () => {
  it('a constant gives a zero-width interval at the constant', () => {
    const i = bootstrapMean([0.4, 0.4, 0.4, 0.4, 0.4]);
    expect([i.estimate, i.lo, i.hi]).toEqual([0.4, 0.4, 0.4]);
    expect(i.defined).toBe(true);
  });

  it('with 3 seeds the interval is the range of the seeds: 3 seeds bound little', () => {
    // The expanded tail probability at n = 3 is ~1e-7, so the interval reaches the extreme resamples, and
    // "all three draws the same seed" happens in ~1/27 of 4000 resamples.
    expect(expandedTailProbability(3, 0.95)).toBeLessThan(1e-6);
    const i = bootstrapMean([0.1, 0.2, 0.6]);
    expect(i.estimate).toBeCloseTo(0.3, 12);
    expect(i.lo).toBeCloseTo(0.1, 12);
    expect(i.hi).toBeCloseTo(0.6, 12);
  });

  it('is seeded: the same seed gives the same interval, another seed another', () => {
    const values = [0.31, 0.45, 0.22, 0.38, 0.5, 0.29, 0.41, 0.35, 0.27, 0.44];
    const a = bootstrapMean(values, { seed: 3 });
    expect(bootstrapMean(values, { seed: 3 })).toEqual(a);
    const b = bootstrapMean(values, { seed: 4 });
    expect([b.lo, b.hi]).not.toEqual([a.lo, a.hi]);
    expect(a.lo).toBeLessThan(a.estimate);
    expect(a.hi).toBeGreaterThan(a.estimate);
  });

  it('takes per-item scores: the seed score is the item mean, items resampled within seeds', () => {
    const i = bootstrapMean([[1, 0, 1, 1], [0, 0, 1, 0], [1, 1, 1, 0], [0, 1, 0, 1], [1, 1, 0, 1]], { bounds: [0, 1] });
    expect(i.perSeed).toEqual([0.75, 0.25, 0.75, 0.5, 0.75]);
    expect(i.estimate).toBeCloseTo(0.6, 12);
    expect(i.lo).toBeGreaterThanOrEqual(0);
    expect(i.hi).toBeLessThanOrEqual(1);
    expect(i.hi - i.lo).toBeGreaterThan(0.2);
  });

  it('expanded interval is wider than the plain percentile one would be, and narrows with more seeds', () => {
    expect(expandedTailProbability(5, 0.95)).toBeLessThan(0.025);
    expect(expandedTailProbability(50, 0.95)).toBeGreaterThan(expandedTailProbability(10, 0.95));
    expect(expandedTailProbability(1, 0.95)).toBeCloseTo(0.025, 12);
  });

  it('names values outside the declared bounds and bad options', () => {
    expect(() => bootstrapMean([0.2, 1.3], { bounds: [0, 1] })).toThrow(/values\[1\] = 1.3 lies outside bounds \[0, 1\]/);
    expect(() => bootstrapMean([[0.2], [0.5, 1.5]], { bounds: [0, 1] })).toThrow(/values\[1\]\[1\] = 1.5/);
    expect(() => bootstrapMean([0.2], { bounds: [1, 0] })).toThrow(/bounds\[0\] < bounds\[1\], got \[1, 0\]/);
    expect(() => bootstrapMean([0.2], { replicates: 0 })).toThrow(/replicates must be a whole number >= 1, got 0/);
    expect(() => bootstrapMean([0.2], { level: 95 })).toThrow(/level must be in \(0, 1\), got 95/);
    expect(() => bootstrapMean([])).toThrow(/values has no seeds/);
    expect(() => bootstrapMean([0.1, NaN])).toThrow(/values\[1\] is NaN/);
    expect(() => bootstrapMean([[0.1], []])).toThrow(/values\[1\] has no items/);
    expect(() => bootstrapMean([[0.1], 0.2] as never)).toThrow(/values\[1\] is not an array of item scores/);
  });
});

describe('bootstrapPairedDifference', () => {
  it('pairs items across arms: a shared item effect cancels, leaving a constant difference', () => {
    const base = [[0.1, 0.9, 0.4], [0.7, 0.2, 0.5], [0.3, 0.8, 0.6], [0.5, 0.1, 0.9]];
    const shifted = base.map((items) => items.map((v) => v + 0.1));
    const d = bootstrapPairedDifference(shifted, base);
    expect(d.estimate).toBeCloseTo(0.1, 12);
    expect(d.hi - d.lo).toBeLessThan(1e-12);
    for (const s of d.perSeed) expect(s).toBeCloseTo(0.1, 12);
    // Unpaired, the same arms would be far apart: the per-arm interval is wide.
    const arm = bootstrapMean(shifted);
    expect(arm.hi - arm.lo).toBeGreaterThan(0.1);
  });

  it('clips to the bounds and says so', () => {
    // Differences 0.3, 0.5, 0.1, 0.3: the resamples reach 0.5, above the declared bound 0.4.
    const d = bootstrapPairedDifference([0.5, 0.6, 0.2, 0.4], [0.2, 0.1, 0.1, 0.1], { bounds: [-1, 0.4] });
    expect(d.hi).toBe(0.4);
    expect(d.clipped).toBe(true);
    const free = bootstrapPairedDifference([0.5, 0.6, 0.2, 0.4], [0.2, 0.1, 0.1, 0.1], { bounds: [-1, 1] });
    expect(free.clipped).toBe(false);
    expect(free.hi).toBeGreaterThan(0.4);
  });

  it('names unpaired input', () => {
    expect(() => bootstrapPairedDifference([0.1, 0.2], [0.1])).toThrow(/b has 1 seeds, a has 2/);
    expect(() => bootstrapPairedDifference([[0.1, 0.2]], [[0.1]])).toThrow(/b\[0\] has 1 items, a\[0\] has 2/);
    expect(() => bootstrapPairedDifference([[0.1]], [0.1])).toThrow(/b gives one score per seed, a does not/);
  });
});

describe('bootstrapStatistic', () => {
  it('evaluates any statistic of arm means, per seed too', () => {
    const i = bootstrapStatistic({ x: [1, 2, 3, 4], y: [2, 2, 2, 2] }, (m) => m.x! * m.y!);
    expect(i.estimate).toBeCloseTo(5, 12);
    expect(i.perSeed).toEqual([2, 4, 6, 8]);
  });

  it('reports an undefined interval rather than NaN bounds in disguise', () => {
    const i = bootstrapStatistic({ x: [0, 1, 0, 1, 0, 1] }, (m) => 1 / (m.x! - 0.5));
    expect(i.defined).toBe(false);
    expect(i.reason).toMatch(/resamples gave a non-finite value/);
    expect(Number.isNaN(i.lo)).toBe(true);
  });

  it('rejects an estimate outside the declared bounds', () => {
    expect(() => bootstrapStatistic({ x: [2, 3] }, (m) => m.x!, { bounds: [0, 1] })).toThrow(/estimate 2.5 lies outside bounds \[0, 1\]/);
  });
});

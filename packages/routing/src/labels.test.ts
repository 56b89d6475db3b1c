import { describe, expect, it } from 'vitest';
import { Rng } from '@routelab/core';
import { applyOversight, countClasses, fullyLabelled } from './labels.ts';

const forgetHalf = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0));

describe('route labels and partial oversight', () => {
  it('full oversight routes exactly the forget units', () => {
    const labels = applyOversight([6], forgetHalf(6), { labelFraction: 1, labelNoise: 0 }, Rng.fromSeed(1));
    expect([...labels.routedAsForget]).toEqual([1, 0, 1, 0, 1, 0]);
    expect(countClasses(labels)).toEqual({ forget: 3, retain: 3, unlabelled: 0 });
    expect(labels).toEqual(fullyLabelled([6], forgetHalf(6)));
  });

  it('a label fraction hides forget labels: unlabelled forget data is routed as retain', () => {
    const n = 20_000;
    const labels = applyOversight([n], forgetHalf(n), { labelFraction: 0.1, labelNoise: 0 }, Rng.fromSeed(2));
    const c = countClasses(labels);
    expect(c.retain).toBe(n / 2);
    expect(c.forget / (n / 2)).toBeGreaterThan(0.08);
    expect(c.forget / (n / 2)).toBeLessThan(0.12);
    for (let i = 0; i < n; i++) if (labels.labelClass[i] === 2) expect(labels.routedAsForget[i]).toBe(0);
  });

  it('label noise flips routing labels both ways and is deterministic in the rng', () => {
    const n = 20_000;
    const a = applyOversight([n], forgetHalf(n), { labelFraction: 1, labelNoise: 0.2 }, Rng.fromSeed(3));
    const b = applyOversight([n], forgetHalf(n), { labelFraction: 1, labelNoise: 0.2 }, Rng.fromSeed(3));
    expect(a).toEqual(b);
    let flippedToForget = 0;
    let flippedToRetain = 0;
    for (let i = 0; i < n; i++) {
      if (a.isForget[i] === 0 && a.routedAsForget[i] === 1) flippedToForget++;
      if (a.isForget[i] === 1 && a.routedAsForget[i] === 0) flippedToRetain++;
    }
    expect(flippedToForget / (n / 2)).toBeCloseTo(0.2, 1);
    expect(flippedToRetain / (n / 2)).toBeCloseTo(0.2, 1);
  });

  it('rejects fractions outside [0, 1]', () => {
    expect(() => applyOversight([2], forgetHalf(2), { labelFraction: NaN, labelNoise: 0 }, Rng.fromSeed(1))).toThrow(/labelFraction must be in \[0, 1\], got NaN/);
    expect(() => applyOversight([2], forgetHalf(2), { labelFraction: 1, labelNoise: 2 }, Rng.fromSeed(1))).toThrow(/labelNoise/);
  });
});

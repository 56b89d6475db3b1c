import { describe, expect, it } from 'vitest';
import { holmAdjust } from './holm.ts';

describe('holmAdjust', () => {
  it('matches the textbook step-down on four tests, in input order', () => {
    // Sorted: 0.005 * 4 = 0.02, 0.01 * 3 = 0.03, 0.03 * 2 = 0.06, 0.04 * 1 = 0.04 -> raised to 0.06.
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((want, i) => expect(adjusted[i]).toBeCloseTo(want, 12));
  });

  it('caps at 1, keeps ties, and leaves a single test unchanged', () => {
    expect(holmAdjust([0.5, 0.6, 0.01])).toEqual([1, 1, 0.03]);
    expect(holmAdjust([0.02, 0.02])).toEqual([0.04, 0.04]);
    expect(holmAdjust([0.037])).toEqual([0.037]);
    expect(holmAdjust([])).toEqual([]);
  });

  it('names a p-value outside [0, 1]', () => {
    expect(() => holmAdjust([0.1, NaN])).toThrow(/pValues\[1\] must be in \[0, 1\], got NaN/);
    expect(() => holmAdjust([1.2])).toThrow(/pValues\[0\].*got 1.2/);
  });
});

import { describe, expect, it } from 'vitest';
import { groupAdvantages } from './advantage.ts';

describe('groupAdvantages', () => {
  it('is reward minus the group mean, per group of k', () => {
    const got = groupAdvantages([1, 0, 0, 0, 1, 1], { groupSize: 3, normalize: false });
    [2 / 3, -1 / 3, -1 / 3, -2 / 3, 1 / 3, 1 / 3].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 12));
  });

  it('divides by the group std when asked, and gives 0 to a group of equal rewards', () => {
    const a = groupAdvantages([1, 0, 0.5, 0.5], { groupSize: 2, normalize: true });
    expect(a[0]).toBeCloseTo(1, 5);
    expect(a[1]).toBeCloseTo(-1, 5);
    expect(a.slice(2)).toEqual([0, 0]);
  });

  it('leaves dropped samples out of their group baseline, with advantage 0', () => {
    expect(groupAdvantages([1, 0, 0, 1], { groupSize: 4, normalize: false }, [false, false, true, true])).toEqual([0.5, -0.5, 0, 0]);
    // One sample left: no baseline, no signal.
    expect(groupAdvantages([1, 0], { groupSize: 2, normalize: false }, [false, true])).toEqual([0, 0]);
  });

  it('rejects k < 2 and rewards that do not split into groups', () => {
    expect(() => groupAdvantages([1], { groupSize: 1, normalize: false })).toThrow(/groupSize must be an integer >= 2, got 1/);
    expect(() => groupAdvantages([1, 0, 1], { groupSize: 2, normalize: false })).toThrow(/3 rewards do not split into groups of 2/);
  });
});

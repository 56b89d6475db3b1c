import { describe, expect, it } from 'vitest';
import { planDispatch } from './elementwise_in_place.ts';

describe('planDispatch', () => {
  it('keeps a 1-D grid while it fits', () => {
    expect(planDispatch(1, 65535)).toEqual([1, 1]);
    expect(planDispatch(65535, 65535)).toEqual([65535, 1]);
  });

  it('goes 2-D past the per-dimension limit, with enough workgroups and no dimension over it', () => {
    for (const [groups, limit] of [
      [65536, 65535],
      [98, 10],
      [1_000_003, 65535],
    ] as const) {
      const [x, y] = planDispatch(groups, limit);
      expect(x).toBeLessThanOrEqual(limit);
      expect(y).toBeLessThanOrEqual(limit);
      expect(x * y).toBeGreaterThanOrEqual(groups);
      expect(x * y - groups).toBeLessThan(y); // at most one partial row of idle workgroups
    }
  });

  it('refuses grids that even two dimensions cannot hold', () => {
    expect(() => planDispatch(101, 10)).toThrow(/101 workgroups/);
  });
});

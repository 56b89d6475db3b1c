import { describe, expect, it } from 'vitest';
import { fnv1a, pick, pickWeighted, seededWorldRng } from './rng.ts';

describe('seededWorldRng', () => {
  it('repeats for the same seed and differs across seeds', () => {
    const a = seededWorldRng(7);
    const b = seededWorldRng(7);
    const c = seededWorldRng(8);
    const xs = Array.from({ length: 20 }, () => a.uniform());
    expect(Array.from({ length: 20 }, () => b.uniform())).toEqual(xs);
    expect(Array.from({ length: 20 }, () => c.uniform())).not.toEqual(xs);
  });

  it('draws uniforms in [0, 1) and ints in range, covering every value', () => {
    const rng = seededWorldRng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const u = rng.uniform();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      const k = rng.int(5);
      expect(Number.isInteger(k) && k >= 0 && k < 5).toBe(true);
      seen.add(k);
    }
    expect(seen.size).toBe(5);
  });

  it('rejects a bad int bound', () => {
    expect(() => seededWorldRng(1).int(0)).toThrow(/positive integer/);
    expect(() => seededWorldRng(1).int(2.5)).toThrow(/positive integer/);
  });
});

describe('pick helpers', () => {
  it('pickWeighted follows the weights and never picks a zero weight', () => {
    const rng = seededWorldRng(3);
    const counts = [0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[pickWeighted(rng, [1, 0, 3])]! += 1;
    expect(counts[1]).toBe(0);
    expect(counts[2]! / 4000).toBeGreaterThan(0.7);
    expect(counts[2]! / 4000).toBeLessThan(0.8);
  });

  it('errors on empty input', () => {
    expect(() => pick(seededWorldRng(1), [])).toThrow(/empty/);
    expect(() => pickWeighted(seededWorldRng(1), [0, 0])).toThrow(/positive/);
  });

  it('fnv1a is stable (a fixed vector) and salt changes it', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('a', 1)).not.toBe(fnv1a('a'));
  });
});

// The world generator needs only two draws, so it states them as a tiny interface instead of importing
// @routelab/core's Rng: the world stays pure data generation (no tfjs), and core's splittable Rng satisfies
// this interface structurally. mulberry32 below exists for tests and quick scripts; it is not for runs.

export interface WorldRng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
}

/** A small deterministic generator (mulberry32). Fine for tests; use core's Rng for experiments. */
export function seededWorldRng(seed: number): WorldRng {
  let state = seed >>> 0;
  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    uniform: () => nextUint32() / 0x1_0000_0000,
    int: (maxExclusive: number) => {
      if (!Number.isInteger(maxExclusive) || maxExclusive < 1) {
        throw new RangeError(`int(maxExclusive) needs a positive integer, got ${maxExclusive}`);
      }
      return Math.floor((nextUint32() / 0x1_0000_0000) * maxExclusive);
    },
  };
}

export function pick<T>(rng: WorldRng, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick from an empty list');
  return items[rng.int(items.length)]!;
}

/** Index drawn with probability proportional to weights[i]; weights must be >= 0 with a positive sum. */
export function pickWeighted(rng: WorldRng, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new RangeError('pickWeighted needs a positive total weight');
  let u = rng.uniform() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  // Rounding can leave u at a hair above 0: return the last index with positive weight.
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i]! > 0) return i;
  return 0;
}

/** 32-bit FNV-1a: a stable hash for the held-out split (same instance, same side, on every platform). */
export function fnv1a(text: string, salt = 0): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

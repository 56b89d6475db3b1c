import { describe, expect, it } from 'vitest';
import { mulHi32, philox4x32 } from './philox.ts';

const hex = (words: Uint32Array) => Array.from(words, (w) => w.toString(16).padStart(8, '0')).join(' ');

describe('philox4x32', () => {
  // Known-answer vectors from Random123's kat_vectors (philox4x32, 10 rounds): counter c0..c3, key k0 k1.
  it.each([
    [[0, 0, 0, 0, 0, 0], '6627e8d5 e169c58d bc57ac4c 9b00dbd8'],
    [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], '408f276d 41c83b0e a20bc7c6 6d5451fd'],
    [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0], 'd16cfe09 94fdcceb 5001e420 24126ea1'],
  ] as const)('matches Random123 known answer %#', (input, expected) => {
    const [c0, c1, c2, c3, k0, k1] = input;
    expect(hex(philox4x32(c0, c1, c2, c3, k0, k1, new Uint32Array(4)))).toBe(expected);
  });

  it('is a pure function of counter and key', () => {
    const a = philox4x32(1, 2, 3, 4, 5, 6, new Uint32Array(4));
    const b = philox4x32(1, 2, 3, 4, 5, 6, new Uint32Array(4));
    const c = philox4x32(2, 2, 3, 4, 5, 6, new Uint32Array(4));
    expect(hex(a)).toBe(hex(b));
    expect(hex(a)).not.toBe(hex(c));
  });
});

describe('mulHi32', () => {
  const reference = (a: number, b: number) => Number((BigInt(a) * BigInt(b)) >> 32n);

  it('agrees with BigInt on edge cases', () => {
    const edges = [0, 1, 2, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xd2511f53, 0xcd9e8d57];
    for (const a of edges) for (const b of edges) expect(mulHi32(a, b), `${a} * ${b}`).toBe(reference(a, b));
  });

  it('agrees with BigInt on 20k pseudo-random pairs', () => {
    let x = 0x12345678;
    const next = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
    for (let i = 0; i < 20_000; i++) {
      const a = next();
      const b = next();
      expect(mulHi32(a, b)).toBe(reference(a, b));
    }
  });
});

// Turning seeds and split labels into 64-bit Philox keys.
//
// A key must be a pure function of (parent key, label) so that a child stream never depends on how much the
// parent has been used, and two labels must almost surely give unrelated keys. The hash is a Davies-Meyer
// construction over Philox itself: the 128-bit chaining value is encrypted under each 64-bit message block
// and xored back in. It is not meant to resist an adversary, only to mix well, and it reuses the one
// primitive whose known-answer tests we already pin.

import { philox4x32 } from './philox.ts';

export type RngKey = readonly [number, number];

/** Domain tags keep seed hashing and split hashing apart: fromSeed(x) and split(x) never share a key. */
const DOMAIN_SEED = 0x5eed0001;
const DOMAIN_SPLIT = 0x5b170002;

/** Type tags keep the number 7 and the string "7" apart. */
const TAG_INTEGER = 1;
const TAG_STRING = 2;

const TWO_POW_32 = 0x1_0000_0000;
const utf8 = new TextEncoder();

/**
 * Encodes a seed or label as uint32 words: a type tag, a length or the integer's two halves, then the bytes.
 * The length prefix makes the encoding prefix-free, so no two labels share a word sequence.
 */
export function labelWords(label: string | number, what: string): number[] {
  if (typeof label === 'number') {
    if (!Number.isSafeInteger(label)) {
      throw new RangeError(`${what} must be a safe integer or a string, got ${label}`);
    }
    // ToUint32 takes the value modulo 2^32, exact for any safe integer (negative ones included).
    return [TAG_INTEGER, label >>> 0, Math.floor(label / TWO_POW_32) >>> 0];
  }
  if (typeof label !== 'string') {
    throw new TypeError(`${what} must be a safe integer or a string, got ${typeof label}`);
  }
  const bytes = utf8.encode(label);
  const words = [TAG_STRING, bytes.length];
  for (let i = 0; i < bytes.length; i += 4) {
    // Little-endian packing of up to four bytes; missing bytes are zero (the length disambiguates).
    const word =
      (bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24);
    words.push(word >>> 0);
  }
  return words;
}

/** Davies-Meyer over Philox: H <- E_{m}(H) xor H for each two-word message block m. */
function absorb(initial: readonly [number, number, number, number], words: readonly number[]): RngKey {
  const out = new Uint32Array(4);
  let h0 = initial[0];
  let h1 = initial[1];
  let h2 = initial[2];
  let h3 = initial[3];
  for (let i = 0; i < words.length; i += 2) {
    philox4x32(h0, h1, h2, h3, words[i] ?? 0, words[i + 1] ?? 0, out);
    h0 = (out[0]! ^ h0) >>> 0;
    h1 = (out[1]! ^ h1) >>> 0;
    h2 = (out[2]! ^ h2) >>> 0;
    h3 = (out[3]! ^ h3) >>> 0;
  }
  // Fold the 128-bit chaining value into a 64-bit key so every state word influences it.
  return [(h0 ^ h2) >>> 0, (h1 ^ h3) >>> 0];
}

export function keyFromSeed(seed: string | number): RngKey {
  return absorb([DOMAIN_SEED, 0, 0, 0], labelWords(seed, 'seed'));
}

export function childKey(parent: RngKey, label: string | number): RngKey {
  return absorb([DOMAIN_SPLIT, parent[0], parent[1], 0], labelWords(label, 'split label'));
}

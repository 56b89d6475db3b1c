// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), the counter-based
// generator behind Random123, cuRAND and JAX's alternatives. A counter-based generator suits a research
// framework: any block of the stream is a pure function of (key, counter), so splitting, skipping ahead and
// resuming from a checkpoint need no hidden state, and the output is the same on every platform because it
// uses only 32-bit integer arithmetic (no BigInt, no floating point).

const PHILOX_M0 = 0xd2511f53;
const PHILOX_M1 = 0xcd9e8d57;
const PHILOX_W0 = 0x9e3779b9; // golden ratio
const PHILOX_W1 = 0xbb67ae85; // sqrt(3) - 1
const ROUNDS = 10;

/**
 * High 32 bits of the 64-bit product of two uint32s. JS numbers hold integers exactly only up to 2^53, so the
 * product is assembled from 16-bit halves; every intermediate stays below 2^35 and is therefore exact.
 */
export function mulHi32(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const loLo = aLo * bLo;
  const hiLo = aHi * bLo;
  const loHi = aLo * bHi;
  const hiHi = aHi * bHi;
  // Carry out of the low 32 bits: (loLo >> 16) + low halves of the cross terms, all < 2^18 * 2^16.
  const cross = (loLo >>> 16) + (hiLo & 0xffff) + (loHi & 0xffff);
  return (hiHi + (hiLo >>> 16) + (loHi >>> 16) + Math.floor(cross / 0x10000)) >>> 0;
}

/**
 * One Philox-4x32-10 block: encrypts the 128-bit counter (c0..c3) under the 64-bit key (k0, k1) and writes the
 * four uint32 outputs into `out`. Writing into a caller-owned array keeps the hot path allocation-free.
 */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
): Uint32Array {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let round = 0; round < ROUNDS; round++) {
    if (round > 0) {
      key0 = (key0 + PHILOX_W0) >>> 0;
      key1 = (key1 + PHILOX_W1) >>> 0;
    }
    const hi0 = mulHi32(PHILOX_M0, x0);
    const lo0 = Math.imul(PHILOX_M0, x0) >>> 0;
    const hi1 = mulHi32(PHILOX_M1, x2);
    const lo1 = Math.imul(PHILOX_M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
  return out;
}

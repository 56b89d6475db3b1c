// Seeded, splittable random numbers. The same seed gives the same numbers on every platform and engine:
// raw bits come from Philox-4x32-10 (integer arithmetic only), floats are built from those bits with exact
// operations, and the one transcendental on the normal path goes through detLog (see det_math.ts).
//
// Streams are split by label rather than by drawing from the parent, so code can ask for
// `rng.split('blocks.0.mlp.w_in')` and get the same stream however much randomness other code consumed
// first. Adding a parameter therefore leaves every other parameter's initial value unchanged.

import { detLog } from './det_math.ts';
import { childKey, keyFromSeed } from './key_derivation.ts';
import type { RngKey } from './key_derivation.ts';
import { philox4x32 } from './philox.ts';

const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_MINUS_53 = 1 / 0x20_0000_0000_0000;

/** Everything needed to resume a stream exactly (e.g. from a checkpoint); plain JSON. */
export interface RngState {
  key: [number, number];
  /** Index of the next Philox block to generate. */
  block: number;
  /** Words of the current block already used (4 = block exhausted). */
  used: number;
  /** Second value of the last polar-method pair, not yet returned by normal(). */
  spareNormal: number | null;
}

export class Rng {
  private readonly buffer = new Uint32Array(4);
  private used = 4;
  private block = 0;
  private spareNormal: number | null = null;

  private constructor(private readonly key: RngKey) {}

  /** Numbers must be safe integers; 42 and "42" are different seeds. */
  static fromSeed(seed: number | string): Rng {
    return new Rng(keyFromSeed(seed));
  }

  static fromState(state: RngState): Rng {
    const [k0, k1] = state.key;
    const words = [k0, k1, state.block, state.used];
    if (!words.every((w) => Number.isSafeInteger(w) && w >= 0) || k0 >= TWO_POW_32 || k1 >= TWO_POW_32) {
      throw new RangeError(`invalid RngState: ${JSON.stringify(state)}`);
    }
    if (state.used > 4) throw new RangeError(`invalid RngState: used must be 0..4, got ${state.used}`);
    if (state.used < 4 && state.block === 0) {
      throw new RangeError('invalid RngState: a partly used block needs block >= 1');
    }
    const rng = new Rng([k0, k1]);
    rng.block = state.block;
    rng.spareNormal = state.spareNormal;
    if (state.used < 4) {
      // Regenerate the partly used block; state.block already points past it.
      rng.fillBlock(state.block - 1);
      rng.used = state.used;
    }
    return rng;
  }

  state(): RngState {
    return { key: [this.key[0], this.key[1]], block: this.block, used: this.used, spareNormal: this.spareNormal };
  }

  /** An independent copy at the same position. */
  clone(): Rng {
    return Rng.fromState(this.state());
  }

  /**
   * An independent child stream named by `label`. Pure: it does not advance this stream, and the same label
   * on the same parent always gives the same child, so give each consumer its own label.
   */
  split(label: string | number): Rng {
    return new Rng(childKey(this.key, label));
  }

  nextUint32(): number {
    if (this.used === 4) {
      this.fillBlock(this.block);
      this.block += 1;
      this.used = 0;
    }
    const word = this.buffer[this.used]!;
    this.used += 1;
    return word;
  }

  /** Uniform in [0, 1) with 53 random bits (every double of the form m * 2^-53). */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 0x400_0000 + lo) * TWO_POW_MINUS_53;
  }

  /**
   * Standard normal by Marsaglia's polar method, which needs only a log and a square root (both exact across
   * engines here), not sin/cos. Values come in pairs; the second is kept for the next call.
   */
  normal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const scale = Math.sqrt((-2 * detLog(s)) / s);
        this.spareNormal = v * scale;
        return u * scale;
      }
    }
  }

  /**
   * Uniform integer in [0, maxExclusive), maxExclusive an integer in [1, 2^32]. Draws that fall in the
   * incomplete last copy of the range are rejected, so every value is exactly equally likely (a plain
   * modulo would favour small values whenever maxExclusive does not divide 2^32).
   */
  int(maxExclusive: number): number {
    if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > TWO_POW_32) {
      throw new RangeError(`int(maxExclusive) needs an integer in [1, 2^32], got ${maxExclusive}`);
    }
    if (maxExclusive === TWO_POW_32) return this.nextUint32();
    const limit = TWO_POW_32 - (TWO_POW_32 % maxExclusive);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % maxExclusive;
    }
  }

  /** Fisher-Yates, in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('choice() from an empty array');
    return items[this.int(items.length)]!;
  }

  /**
   * k distinct integers from [0, n), in random order (a uniformly random k-permutation). A partial
   * Fisher-Yates over a sparse map of swapped slots: O(k) time and memory however large n is.
   */
  sampleWithoutReplacement(n: number, k: number): number[] {
    if (!Number.isInteger(n) || n < 0 || n > TWO_POW_32) {
      throw new RangeError(`sampleWithoutReplacement: n must be an integer in [0, 2^32], got ${n}`);
    }
    if (!Number.isInteger(k) || k < 0 || k > n) {
      throw new RangeError(`sampleWithoutReplacement: k must be an integer in [0, n=${n}], got ${k}`);
    }
    const moved = new Map<number, number>();
    const out: number[] = [];
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      out.push(moved.get(j) ?? j);
      moved.set(j, moved.get(i) ?? i);
    }
    return out;
  }

  /** Fills `out` with uniform values in [lo, hi), rounded to float32 (draws that round up to hi are redrawn). */
  fillUniform(out: Float32Array, lo = 0, hi = 1): Float32Array {
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
      throw new RangeError(`fillUniform needs finite lo < hi, got [${lo}, ${hi})`);
    }
    const width = hi - lo;
    for (let i = 0; i < out.length; i++) {
      let value: number;
      do value = Math.fround(lo + width * this.uniform());
      while (value >= hi);
      out[i] = value;
    }
    return out;
  }

  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
      throw new RangeError(`fillNormal needs finite mean and std >= 0, got mean=${mean} std=${std}`);
    }
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /**
   * A seed for tfjs random ops (tf.randomNormal(..., seed)), in [0, 2^31) so it is a valid int32 wherever a
   * backend passes it on. tfjs random ops are not guaranteed to agree across backends; prefer fill* and
   * tf.tensor when bit-identical values matter.
   */
  tfSeed(): number {
    return this.nextUint32() >>> 1;
  }

  private fillBlock(block: number): void {
    // Counter = (block low, block high, 0, 0); split children differ by key, not by counter.
    philox4x32(block >>> 0, Math.floor(block / TWO_POW_32) >>> 0, 0, 0, this.key[0], this.key[1], this.buffer);
  }
}

// Small shared pieces for the model tests (not exported from the package).
import { tf } from '@routelab/core';
import type { TransformerConfigInput } from './config.ts';

/** A tiny config: fast on every backend, big enough to have heads, blocks and expansion. */
export const TINY: TransformerConfigInput = { vocabSize: 20, maxLen: 12, dModel: 16, nLayers: 2, nHeads: 2, dMlp: 32 };

export function tokens(rows: number[][]): tf.Tensor2D {
  return tf.tensor2d(rows, [rows.length, rows[0]!.length], 'int32');
}

export async function values(t: tf.Tensor): Promise<Float32Array> {
  return Float32Array.from(await t.data());
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

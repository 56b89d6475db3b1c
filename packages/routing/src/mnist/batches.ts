// Batch helpers for the MNIST split experiment: rows of the digit matrices, route labels of a batch, per-digit
// means. Which rows a step trains on comes from core's BatchOrder (a pure function of (rng, step)).
import { tf } from '@routelab/core';
import type { RouteLabels } from '../labels.ts';

/** Rows `indices` of a row-major [n, width] matrix, as a [indices.length, width] tensor. */
export function gatherRows(values: Float32Array, width: number, indices: readonly number[]): tf.Tensor2D {
  const out = new Float32Array(indices.length * width);
  for (const [row, i] of indices.entries()) out.set(values.subarray(i * width, (i + 1) * width), row * width);
  return tf.tensor2d(out, [indices.length, width]);
}

/** Columns [from, to) of a row-major [n, width] matrix, as a new row-major [n, to - from] array. */
export function sliceColumns(values: Float32Array, width: number, from: number, to: number): Float32Array {
  const n = values.length / width;
  const out = new Float32Array(n * (to - from));
  for (let i = 0; i < n; i++) out.set(values.subarray(i * width + from, i * width + to), i * (to - from));
  return out;
}

/** The route labels of a batch, picked from labels drawn once for the whole training set. */
export function batchLabels(all: RouteLabels, indices: readonly number[]): RouteLabels {
  const pick = (source: Uint8Array) => Uint8Array.from(indices, (i) => source[i]!);
  return {
    shape: [indices.length],
    isForget: pick(all.isForget),
    routedAsForget: pick(all.routedAsForget),
    labelClass: pick(all.labelClass),
  };
}

/** Mean of `values` per digit label (NaN for a digit with no examples). */
export function perDigitMean(values: ArrayLike<number>, labels: Int32Array): number[] {
  const sum = new Array<number>(10).fill(0);
  const count = new Array<number>(10).fill(0);
  for (let i = 0; i < labels.length; i++) {
    sum[labels[i]!]! += values[i]!;
    count[labels[i]!]! += 1;
  }
  return sum.map((s, d) => s / count[d]!);
}

/** Mean of per-digit values over a digit group (each digit weighs the same). */
export function groupMean(perDigit: readonly number[], digits: readonly number[]): number {
  return digits.reduce((a, d) => a + perDigit[d]!, 0) / digits.length;
}

/** Runs `fn` over [from, to) chunks of n rows and concatenates its row-major outputs. */
export async function mapChunks(
  n: number,
  chunk: number,
  fn: (from: number, to: number) => tf.Tensor,
): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  for (let from = 0; from < n; from += chunk) {
    const out = fn(from, Math.min(n, from + chunk));
    parts.push((await out.data()) as Float32Array);
    out.dispose();
  }
  const total = parts.reduce((a, p) => a + p.length, 0);
  const all = new Float32Array(total);
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.length;
  }
  return all;
}

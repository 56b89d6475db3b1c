// `routelab bench matmul`: matMul with a transposed operand against the plain product of the same shapes.
// tfjs's own wasm kernel is 10-45x slower with a transposed operand; routelab registers a replacement.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../backends/backend_types.ts';
import { activateEach, ratio, timeCalls } from './timing.ts';
import type { BenchRatio, Timing } from './timing.ts';

export interface MatmulBenchRow {
  backend: BackendName;
  case: 'plain' | 'transposeB' | 'transposeA';
  /** [m, k] x [k, n], as multiplied (after the transpose). */
  shape: [number, number, number];
  timing: Timing;
  gflops: number;
}

export interface MatmulBenchResult {
  rows: MatmulBenchRow[];
  skipped: { backend: BackendName; reason: string }[];
  ratios: Record<string, BenchRatio>;
}

const TRANSPOSED_VS_PLAIN_TARGET: Partial<Record<BackendName, number>> = { wasm: 1.3 };

export async function benchMatmul(
  options: { backends?: BackendName[]; m?: number; k?: number; n?: number; calls?: number } = {},
): Promise<MatmulBenchResult> {
  // The shapes of the paper-size MNIST encoder's first layer: batch 2048, 784 inputs, 2048 hidden.
  const { backends = ['wasm'], m = 2048, k = 784, n = 2048, calls = 3 } = options;
  const rows: MatmulBenchRow[] = [];
  const skipped: MatmulBenchResult['skipped'] = [];
  const ratios: Record<string, BenchRatio> = {};
  for await (const backend of activateEach(backends, skipped)) {
    const a = tf.randomNormal([m, k], 0, 1, 'float32', 1);
    const b = tf.randomNormal([k, n], 0, 1, 'float32', 2);
    const aT = tf.transpose(a);
    const bT = tf.transpose(b);
    const cases: [MatmulBenchRow['case'], () => tf.Tensor][] = [
      ['plain', () => tf.matMul(a, b)],
      ['transposeB', () => tf.matMul(a, bT, false, true)],
      ['transposeA', () => tf.matMul(aT, b, true, false)],
    ];
    const times: Partial<Record<MatmulBenchRow['case'], number>> = {};
    for (const [name, run] of cases) {
      let last: tf.Tensor | undefined;
      const timing = await timeCalls(
        () => {
          last?.dispose();
          last = run();
        },
        () => last!,
        { calls, trials: 3, warmup: 1 },
      );
      last?.dispose();
      times[name] = timing.ms;
      rows.push({ backend, case: name, shape: [m, k, n], timing, gflops: (2 * m * k * n) / (timing.ms * 1e6) });
    }
    tf.dispose([a, b, aT, bT]);
    const target = TRANSPOSED_VS_PLAIN_TARGET[backend];
    for (const name of ['transposeB', 'transposeA'] as const) {
      ratios[`${backend} ${m}x${k}x${n}: ${name} / plain time`] = ratio(
        times[name]! / times.plain!,
        target ? { atMost: target } : undefined,
      );
    }
  }
  return { rows, skipped, ratios };
}

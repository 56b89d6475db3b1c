// Timing helpers for benchmarks. Asynchronous backends (webgpu) queue work, so every measurement ends by
// reading one element back, which waits for everything queued before it.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../backends/backend_types.ts';
import { loadBackend, useBackend } from '../backends/load_backend.ts';

export async function sync(t: tf.Tensor): Promise<void> {
  const one = tf.slice(tf.reshape(t, [-1]), 0, 1);
  await one.data();
  one.dispose();
}

export interface Timing {
  /** Median milliseconds per call over the trials. */
  ms: number;
  trials: number;
  callsPerTrial: number;
}

/**
 * Runs `fn` `calls` times per trial, `trials` times after `warmup` calls, syncing on `probe` at the end
 * of each trial, and returns the median per-call time.
 */
export async function timeCalls(
  fn: () => void,
  probe: () => tf.Tensor,
  { calls = 10, trials = 5, warmup = 3 }: { calls?: number; trials?: number; warmup?: number } = {},
): Promise<Timing> {
  for (let i = 0; i < warmup; i++) fn();
  await sync(probe());
  const perCall: number[] = [];
  for (let t = 0; t < trials; t++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    await sync(probe());
    perCall.push((performance.now() - t0) / calls);
  }
  perCall.sort((a, b) => a - b);
  return { ms: perCall[Math.floor(perCall.length / 2)]!, trials, callsPerTrial: calls };
}

/** A benchmark result: raw timings plus named ratios (each with the target it is held to, if any). */
export interface BenchRatio {
  value: number;
  /** e.g. '>= 6' or '<= 4'. */
  target?: string;
  pass?: boolean;
}

export function ratio(value: number, target?: { atLeast?: number; atMost?: number }): BenchRatio {
  if (!target) return { value };
  if (target.atLeast !== undefined) return { value, target: `>= ${target.atLeast}`, pass: value >= target.atLeast };
  return { value, target: `<= ${target.atMost}`, pass: value <= target.atMost! };
}

/**
 * Activates each requested backend in turn and yields its name; a backend that is not available here is
 * recorded in `skipped` with the reason instead (benchmarks report it rather than fail).
 */
export async function* activateEach(
  backends: readonly BackendName[],
  skipped: { backend: BackendName; reason: string }[],
): AsyncGenerator<BackendName> {
  for (const backend of backends) {
    const loaded = await loadBackend(backend);
    if (!loaded.available) {
      skipped.push({ backend, reason: loaded.reason });
      continue;
    }
    await useBackend(backend);
    yield backend;
  }
}

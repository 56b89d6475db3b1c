// `auto`: measure a small training-shaped workload on every available backend and pick the fastest. Names
// are not trusted: on a machine without a GPU, WebGPU runs on a software adapter that is slower than wasm.
import * as tf from '@tensorflow/tfjs-core';
import { maskedAdamWUpdate } from '../ops/masked_update.ts';
import { zerosVariable } from '../optim/masked_optimizer.ts';
import type { BackendChoice, BackendLoadResult, BackendName } from './backend_types.ts';
import { loadAllBackends, useBackend } from './load_backend.ts';

export interface BackendTiming {
  name: BackendName;
  /** Median milliseconds of one probe step, or undefined if the probe failed. */
  ms?: number;
  error?: string;
}

export interface BackendSelection {
  chosen: BackendName;
  /** Why it was chosen, in words. */
  reason: string;
  backends: BackendLoadResult[];
  timings: BackendTiming[];
}

/** Probe: forward + backward of a 256 x 512 x 512 MLP layer pair and a masked AdamW step on its weights. */
async function probeStep(repeats: number): Promise<number> {
  const w1 = tf.variable(tf.randomNormal([512, 512], 0, 0.05, 'float32', 1));
  const w2 = tf.variable(tf.randomNormal([512, 512], 0, 0.05, 'float32', 2));
  const x = tf.randomNormal([256, 512], 0, 1, 'float32', 3);
  const slots = { m: zerosVariable([512, 512]), v: zerosVariable([512, 512]) };
  const mask = tf.ones([512, 512]);
  const attrs = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 };
  const once = async (): Promise<void> => {
    const { value, grads } = tf.variableGrads(
      () => tf.mean(tf.square(tf.matMul(tf.relu(tf.matMul(x, w1)), w2))) as tf.Scalar,
      [w1, w2],
    );
    maskedAdamWUpdate({ param: w1, ...slots }, grads[w1.name]!, mask, attrs);
    await value.data(); // forces completion on asynchronous backends
    tf.dispose([value, ...Object.values(grads)]);
  };
  try {
    await once(); // warm-up: shader compilation, kernel caches
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      await once();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)]!;
  } finally {
    tf.dispose([w1, w2, x, slots.m, slots.v, mask]);
  }
}

export async function measureBackends(repeats = 5): Promise<{ backends: BackendLoadResult[]; timings: BackendTiming[] }> {
  const backends = await loadAllBackends();
  const timings: BackendTiming[] = [];
  for (const b of backends) {
    if (!b.available) continue;
    try {
      await useBackend(b.name);
      timings.push({ name: b.name, ms: await probeStep(repeats) });
    } catch (err) {
      timings.push({ name: b.name, error: (err as Error).message });
    }
  }
  return { backends, timings };
}

/** Resolves `auto` by measurement (or checks a named backend), activates it, and says why. */
export async function selectBackend(choice: BackendChoice | string = 'auto'): Promise<BackendSelection> {
  if (choice !== 'auto') {
    // Only the named backend is loaded: loading the others costs time (and Dawn prints warnings).
    const result = await useBackend(choice);
    return { chosen: result.name, reason: `requested by name (${result.detail})`, backends: [result], timings: [] };
  }
  const { backends, timings } = await measureBackends();
  const measured = timings.filter((t): t is BackendTiming & { ms: number } => t.ms !== undefined);
  if (measured.length === 0) throw new Error('auto: no backend could run the probe step');
  measured.sort((a, b) => a.ms - b.ms);
  const best = measured[0]!;
  const others = measured
    .slice(1)
    .map((t) => `${t.name} ${t.ms.toFixed(1)} ms (${(t.ms / best.ms).toFixed(1)}x slower)`)
    .join(', ');
  await useBackend(best.name);
  return {
    chosen: best.name,
    reason: `fastest on a probe training step: ${best.ms.toFixed(1)} ms${others ? `; ${others}` : ''}`,
    backends,
    timings,
  };
}

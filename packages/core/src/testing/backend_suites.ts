// Backend-parameterised tests: one suite per backend, skipped visibly (with the reason in its title) where
// a backend is missing. Backends named in ROUTELAB_REQUIRE_BACKENDS (CI sets it) must be present: their
// absence fails the suite instead of skipping it.
import * as tf from '@tensorflow/tfjs-core';
import { describe, it, beforeAll } from 'vitest';
import { BACKEND_NAMES } from '../backends/backend_types.ts';
import type { BackendLoadResult, BackendName } from '../backends/backend_types.ts';
import { loadBackend, useBackend } from '../backends/load_backend.ts';

export function requiredBackends(): BackendName[] {
  const raw = (typeof process !== 'undefined' && process.env.ROUTELAB_REQUIRE_BACKENDS) || '';
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is BackendName => (BACKEND_NAMES as readonly string[]).includes(s));
}

/** Probes every backend (top-level await in a test file: `const backends = await probeBackends()`). */
export async function probeBackends(names: readonly BackendName[] = BACKEND_NAMES): Promise<BackendLoadResult[]> {
  const results: BackendLoadResult[] = [];
  for (const name of names) results.push(await loadBackend(name));
  return results;
}

/**
 * describe(`${title} [backend]`) for each probed backend. Inside, the backend is active.
 * Missing backends: a skipped suite titled with the reason, or a failing test if the backend is required.
 */
export function describeEachBackend(
  title: string,
  backends: readonly BackendLoadResult[],
  body: (backend: BackendName) => void,
): void {
  const required = requiredBackends();
  for (const result of backends) {
    if (result.available) {
      describe(`${title} [${result.name}]`, () => {
        beforeAll(async () => {
          await useBackend(result.name);
        });
        body(result.name);
      });
    } else if (required.includes(result.name)) {
      describe(`${title} [${result.name}]`, () => {
        it('backend is required here (ROUTELAB_REQUIRE_BACKENDS) but missing', () => {
          throw new Error(`required backend ${result.name} is unavailable: ${result.reason}`);
        });
      });
    } else {
      describe.skip(`${title} [${result.name}] skipped: ${result.reason}`, () => {
        it('needs the backend', () => {});
      });
    }
  }
}

/** Reads a tensor's values as a fresh Float32Array (async: dataSync fails on webgpu in Node). */
export async function readFloat32(t: tf.Tensor): Promise<Float32Array> {
  return Float32Array.from(await t.data());
}

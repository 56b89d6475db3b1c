// Global-norm clipping on every backend against a float64 reference, with gradients long enough to cross the
// native sum of squares' blocks (1024 floats) and its tail; on wasm with the native module that kernel is used.
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { normal } from '../kernels/cpu/masked_kernel_suite.ts';
import { sumOfSquaresKernel } from '../kernels/wasm/native_lm.ts';
import { describeEachBackend, probeBackends } from '../testing/backend_suites.ts';
import { clipByGlobalNorm } from './clip_gradients.ts';

const backends = await probeBackends();

describeEachBackend('clipByGlobalNorm', backends, (backend) => {
  it(`scales by maxNorm / norm over all gradients together${backend === 'wasm' ? (sumOfSquaresKernel() ? ' (native sum of squares)' : ' (host loop: no native module)') : ''}`, async () => {
    const parts = [normal(2 * 1024 + 37, 5), normal(3, 6), normal(1024, 7)];
    const grads = new Map(parts.map((p, i) => [`g${i}`, tf.tensor1d(p)] as const));
    const norm = Math.sqrt(parts.flatMap((p) => Array.from(p)).reduce((s, x) => s + x * x, 0));
    const clipped = clipByGlobalNorm(grads, 1);
    const scale = 1 / (norm + 1e-6);
    for (const [i, p] of parts.entries()) {
      const got = await clipped.get(`g${i}`)!.data();
      p.forEach((x, j) => expect(got[j]).toBeCloseTo(x * scale, 6));
    }
    // Under the limit: unchanged (on wasm the very same tensors, nothing new; elsewhere scaled by exactly 1).
    const loose = clipByGlobalNorm(grads, norm * 2);
    if (backend === 'wasm') expect(loose === grads).toBe(true);
    for (const [name, g] of grads) expect(Array.from(await loose.get(name)!.data())).toEqual(Array.from(await g.data()));
    if (loose !== grads) tf.dispose([...loose.values()]);
    tf.dispose([...grads.values(), ...clipped.values()]);
  });
});

import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeEachBackend, probeBackends } from '../../testing/backend_suites.ts';
import { MaskedSGD } from '../kernel_names.ts';
import type { MaskedSGDAttrs } from '../kernel_names.ts';
import { referenceMaskedSGD } from '../masked_update_reference.ts';
import {
  DEFAULT_TOLERANCE,
  compareMaskedUpdate,
  isCpuOnly,
  plantFragileValues,
  randomArray,
  read,
  rotatingMask,
  seededRandom,
  webGpuKernelSuiteHooks,
} from './webgpu_test_utils.ts';

const backends = await probeBackends(['webgpu']);

// The momentum buffer grows to several units here, and buf = momentum * buf + g can cancel to far below
// that: a floor of a few ulps of the terms (ulp(4) = 4.8e-7) is the honest absolute tolerance.
const TOLERANCE = { ...DEFAULT_TOLERANCE, atol: 1e-6 };

type SGDTensors = Record<'param' | 'grad' | 'mask' | 'buf', tf.Tensor>;

function attrsFor(nesterov: boolean): MaskedSGDAttrs {
  return { lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov };
}

function runSGD(t: SGDTensors, attrs: MaskedSGDAttrs): void {
  tf.engine().runKernel(MaskedSGD, t, { ...attrs });
}

/** Runs `steps` kernel steps beside the reference, checking param and buf after each. */
async function checkAgainstReference(n: number, steps: number, nesterov: boolean, seed: number): Promise<void> {
  const attrs = attrsFor(nesterov);
  const rand = seededRandom(seed);
  const state = { param: randomArray(n, rand), buf: randomArray(n, rand, 0.1) };
  plantFragileValues(state.param, 1);
  plantFragileValues(state.buf, 1);
  const param = tf.tensor(state.param); // CPU-side only until the kernel uploads it
  const buf = tf.tensor(state.buf);
  expect(isCpuOnly(buf)).toBe(true);
  for (let step = 1; step <= steps; step++) {
    const gradValues = randomArray(n, rand, 2);
    const maskValues = rotatingMask(n, step);
    const grad = tf.tidy(() => tf.mul(tf.tensor(gradValues), 1)); // possibly still unsubmitted in tfjs
    const mask = tf.tensor(maskValues);
    const before = { param: await read(param), buf: await read(buf) }; // cached CPU copies go stale
    runSGD({ param, grad, mask, buf }, attrs);
    referenceMaskedSGD(state, gradValues, maskValues, attrs);
    const after = { param: await read(param), buf: await read(buf) };
    const problems = (['param', 'buf'] as const).flatMap((name) =>
      compareMaskedUpdate(`step ${step} ${name}`, after[name], state[name], before[name], maskValues, TOLERANCE),
    );
    expect(problems).toEqual([]);
    tf.dispose([grad, mask]);
  }
  tf.dispose([param, buf]);
}

describeEachBackend('MaskedSGD webgpu kernel', backends, () => {
  webGpuKernelSuiteHooks();

  for (const nesterov of [false, true]) {
    for (const n of [1, 3, 4, 1000, 1025]) {
      it(`matches the reference over 5 steps, n=${n}, nesterov=${nesterov}`, async () => {
        await checkAgainstReference(n, 5, nesterov, n + (nesterov ? 1 : 0));
      });
    }
    it(`matches the reference over 3 steps, n=2^20+3, nesterov=${nesterov}`, async () => {
      await checkAgainstReference(2 ** 20 + 3, 3, nesterov, 9);
    });
  }

  it('orders correctly with tfjs ops issued before and after it', async () => {
    const n = 4096; // above tfjs's CPU-forwarding threshold: these ops run on the GPU
    const attrs = attrsFor(true);
    const rand = seededRandom(4);
    const state = { param: randomArray(n, rand), buf: new Float32Array(n) };
    const gradValues = randomArray(n, rand);
    const maskValues = rotatingMask(n, 2);
    const param = tf.add(tf.tensor(state.param), 0);
    const buf = tf.add(tf.zeros([n]), 0);
    const grad = tf.tensor(gradValues);
    const mask = tf.tensor(maskValues);
    await read(param); // cached CPU copy
    const issuedBefore = tf.add(param, 0);
    runSGD({ param, grad, mask, buf }, attrs);
    const issuedAfter = tf.mul(param, 1);
    const old = Float32Array.from(state.param);
    referenceMaskedSGD(state, gradValues, maskValues, attrs);
    expect(await read(issuedBefore)).toEqual(old);
    const updated = await read(param);
    expect(compareMaskedUpdate('param', updated, state.param, old, maskValues, TOLERANCE)).toEqual([]);
    expect(await read(issuedAfter)).toEqual(updated);
    tf.dispose([param, buf, grad, mask, issuedBefore, issuedAfter]);
  });

  it('throws on a shape mismatch, naming the tensors', () => {
    const [param, grad, mask, buf] = [tf.zeros([2, 3]), tf.zeros([3, 2]), tf.zeros([2, 3]), tf.zeros([2, 3])];
    expect(() => runSGD({ param, grad, mask, buf }, attrsFor(false))).toThrow(/"grad" has shape \[3, 2\].*"param"/);
    tf.dispose([param, grad, mask, buf]);
  });

  it('throws on a dtype mismatch, naming the tensor', () => {
    const [param, grad, buf] = [tf.zeros([4]), tf.zeros([4]), tf.zeros([4])];
    const mask = tf.zeros([4], 'bool');
    expect(() => runSGD({ param, grad, mask, buf }, attrsFor(false))).toThrow(/"mask" has dtype bool/);
    tf.dispose([param, grad, mask, buf]);
  });
});

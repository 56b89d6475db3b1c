import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeEachBackend, probeBackends } from '../../testing/backend_suites.ts';
import { MaskedAdamW } from '../kernel_names.ts';
import type { MaskedAdamWAttrs } from '../kernel_names.ts';
import { referenceMaskedAdamW } from '../masked_update_reference.ts';
import { setMaxWorkgroupsPerDimensionForTesting } from './elementwise_in_place.ts';
import {
  compareMaskedUpdate,
  isCpuOnly,
  plantFragileValues,
  randomArray,
  read,
  rotatingMask,
  seededRandom,
  storedDtype,
  webGpuKernelSuiteHooks,
} from './webgpu_test_utils.ts';

const backends = await probeBackends(['webgpu']);

const ATTRS: Omit<MaskedAdamWAttrs, 'step'> = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 };
type AdamWTensors = Record<'param' | 'grad' | 'mask' | 'm' | 'v', tf.Tensor>;

function runAdamW(t: AdamWTensors, step: number): void {
  tf.engine().runKernel(MaskedAdamW, t, { ...ATTRS, step });
}

/** Runs `steps` kernel steps beside the reference, checking param, m and v after each. */
async function checkAgainstReference(n: number, steps: number, seed: number): Promise<void> {
  const rand = seededRandom(seed);
  const state = { param: randomArray(n, rand), m: randomArray(n, rand, 0.1), v: randomArray(n, rand, 0.01, 0) };
  for (const a of [state.param, state.m, state.v]) plantFragileValues(a, 1);
  // Fresh tensors hold CPU-side values only: the kernel must upload them itself.
  const param = tf.tensor(state.param);
  const m = tf.tensor(state.m);
  const v = tf.tensor(state.v);
  expect(isCpuOnly(param)).toBe(true);
  for (let step = 1; step <= steps; step++) {
    const gradValues = randomArray(n, rand, 2);
    const maskValues = rotatingMask(n, step);
    // grad comes out of a tfjs op that may still sit unsubmitted in tfjs's command encoder.
    const grad = tf.tidy(() => tf.mul(tf.tensor(gradValues), 1));
    const mask = tf.tensor(maskValues);
    // Reading caches CPU copies in tfjs: the kernel must drop them or the next read would be stale.
    const before = { param: await read(param), m: await read(m), v: await read(v) };
    runAdamW({ param, grad, mask, m, v }, step);
    referenceMaskedAdamW(state, gradValues, maskValues, { ...ATTRS, step });
    const after = { param: await read(param), m: await read(m), v: await read(v) };
    const problems = (['param', 'm', 'v'] as const).flatMap((name) =>
      compareMaskedUpdate(`step ${step} ${name}`, after[name], state[name], before[name], maskValues),
    );
    expect(problems).toEqual([]);
    tf.dispose([grad, mask]);
  }
  tf.dispose([param, m, v]);
}

describeEachBackend('MaskedAdamW webgpu kernel', backends, () => {
  webGpuKernelSuiteHooks();

  for (const n of [1, 3, 4, 1000, 1025]) {
    it(`matches the reference over 5 steps, n=${n}`, async () => {
      await checkAgainstReference(n, 5, n);
    });
  }

  it('matches the reference over 3 steps, n=2^20+3', async () => {
    await checkAgainstReference(2 ** 20 + 3, 3, 7);
  });

  it('splits large dispatches over a 2-D grid (per-dimension limit forced low)', async () => {
    setMaxWorkgroupsPerDimensionForTesting(10);
    try {
      await checkAgainstReference(100_003, 2, 11); // 98 workgroups -> 10 x 10
      await checkAgainstReference(100_000, 2, 12); // the vec4 layout
    } finally {
      setMaxWorkgroupsPerDimensionForTesting(undefined);
    }
  });

  it('orders correctly with tfjs ops issued before and after it', async () => {
    const n = 4096; // above tfjs's CPU-forwarding threshold: these ops run on the GPU
    const rand = seededRandom(3);
    const state = { param: randomArray(n, rand), m: new Float32Array(n), v: new Float32Array(n) };
    const gradValues = randomArray(n, rand);
    const maskValues = rotatingMask(n, 1);
    const param = tf.add(tf.tensor(state.param), 0);
    const m = tf.add(tf.zeros([n]), 0);
    const v = tf.add(tf.zeros([n]), 0);
    const grad = tf.tensor(gradValues);
    const mask = tf.tensor(maskValues);
    await read(param); // a cached CPU copy that the kernel must invalidate
    const issuedBefore = tf.add(param, 0); // recorded, not yet submitted
    runAdamW({ param, grad, mask, m, v }, 1);
    const issuedAfter = tf.mul(param, 1);
    const old = Float32Array.from(state.param);
    referenceMaskedAdamW(state, gradValues, maskValues, { ...ATTRS, step: 1 });
    expect(await read(issuedBefore)).toEqual(old);
    const updated = await read(param);
    expect(compareMaskedUpdate('param', updated, state.param, old, maskValues)).toEqual([]);
    expect(await read(issuedAfter)).toEqual(updated);
    expect(compareMaskedUpdate('m', await read(m), state.m, new Float32Array(n), maskValues)).toEqual([]);
    tf.dispose([param, m, v, grad, mask, issuedBefore, issuedAfter]);
  });

  it('reads a mask whose buffer holds bool data (tf.cast(bool -> float32) shares it)', async () => {
    const n = 2051;
    const rand = seededRandom(5);
    const state = { param: randomArray(n, rand), m: new Float32Array(n), v: new Float32Array(n) };
    const gradValues = randomArray(n, rand);
    const raw = randomArray(n, rand);
    const boolMask = tf.greater(tf.tensor(raw), 0);
    const mask = tf.cast(boolMask, 'float32');
    const maskValues = Float32Array.from(raw, (x) => (x > 0 ? 1 : 0));
    expect(storedDtype(mask)).toBe('bool');
    const param = tf.tensor(state.param);
    const m = tf.zeros([n]);
    const v = tf.zeros([n]);
    const grad = tf.tensor(gradValues);
    runAdamW({ param, grad, mask, m, v }, 1);
    const old = Float32Array.from(state.param);
    referenceMaskedAdamW(state, gradValues, maskValues, { ...ATTRS, step: 1 });
    expect(compareMaskedUpdate('param', await read(param), state.param, old, maskValues)).toEqual([]);
    tf.dispose([boolMask, mask, param, m, v, grad]);
  });

  it('throws on a shape mismatch, naming the tensors', () => {
    const t = (n: number) => tf.zeros([n]);
    const [param, grad, mask, m, v] = [t(4), t(4), t(4), t(5), t(4)];
    expect(() => runAdamW({ param, grad, mask, m, v }, 1)).toThrow(/"m" has shape \[5\].*"param"/);
    tf.dispose([param, grad, mask, m, v]);
  });

  it('throws on a dtype mismatch, naming the tensor', () => {
    const [param, mask, m, v] = [tf.zeros([4]), tf.zeros([4]), tf.zeros([4]), tf.zeros([4])];
    const grad = tf.zeros([4], 'int32');
    expect(() => runAdamW({ param, grad, mask, m, v }, 1)).toThrow(/"grad" has dtype int32/);
    tf.dispose([param, grad, mask, m, v]);
  });

  it('throws on a missing attribute instead of writing NaN', () => {
    const [param, grad, mask, m, v] = [tf.zeros([4]), tf.zeros([4]), tf.ones([4]), tf.zeros([4]), tf.zeros([4])];
    const { lr: _lr, ...withoutLr } = ATTRS;
    const call = () => tf.engine().runKernel(MaskedAdamW, { param, grad, mask, m, v }, { ...withoutLr, step: 1 });
    expect(call).toThrow(/hyper-parameter lr is undefined/);
    tf.dispose([param, grad, mask, m, v]);
  });

  it('refuses to write into a float32 tensor whose buffer holds int32 data', () => {
    const ints = tf.tensor([1, 2, 3, 4], [4], 'int32');
    const param = tf.cast(ints, 'float32');
    expect(storedDtype(param)).toBe('int32');
    const [grad, mask, m, v] = [tf.ones([4]), tf.ones([4]), tf.zeros([4]), tf.zeros([4])];
    expect(() => runAdamW({ param, grad, mask, m, v }, 1)).toThrow(/"param" .* holds int32/);
    tf.dispose([ints, param, grad, mask, m, v]);
  });
});

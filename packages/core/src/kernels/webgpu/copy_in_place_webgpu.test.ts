import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeEachBackend, probeBackends } from '../../testing/backend_suites.ts';
import { CopyInPlace } from '../kernel_names.ts';
import { setMaxWorkgroupsPerDimensionForTesting } from './elementwise_in_place.ts';
import { firstBitDifference, randomArray, read, seededRandom, webGpuKernelSuiteHooks } from './webgpu_test_utils.ts';

const backends = await probeBackends(['webgpu']);

function copy(src: tf.Tensor, dst: tf.Tensor): void {
  tf.engine().runKernel(CopyInPlace, { src, dst }, {});
}

describeEachBackend('CopyInPlace webgpu kernel', backends, () => {
  webGpuKernelSuiteHooks();

  for (const n of [1, 3, 4, 1000, 1025, 2 ** 20 + 3]) {
    it(`copies every element bit for bit, n=${n}`, async () => {
      const values = randomArray(n, seededRandom(n), 1e3);
      values[0] = -0;
      if (n > 2) values[2] = 1e-41; // subnormal: a copy must not flush it
      const src = tf.tidy(() => tf.mul(tf.tensor(values), 1)); // possibly unsubmitted
      const dst = tf.tensor(new Float32Array(n).fill(7)); // CPU-only until the kernel uploads it
      await read(dst); // a cached CPU copy that must not survive the write
      copy(src, dst);
      expect(firstBitDifference(await read(dst), values)).toBeNull();
      tf.dispose([src, dst]);
    });
  }

  it('splits large dispatches over a 2-D grid (per-dimension limit forced low)', async () => {
    setMaxWorkgroupsPerDimensionForTesting(16);
    try {
      for (const n of [65_537, 65_536 * 4]) { // 65 workgroups -> 13 x 5, 256 -> 16 x 16
        const values = randomArray(n, seededRandom(n));
        const src = tf.tensor(values);
        const dst = tf.zeros([n]);
        copy(src, dst);
        expect(firstBitDifference(await read(dst), values)).toBeNull();
        tf.dispose([src, dst]);
      }
    } finally {
      setMaxWorkgroupsPerDimensionForTesting(undefined);
    }
  });

  it('is seen by tfjs ops issued after it, and not by ops issued before', async () => {
    const n = 2048;
    const dst = tf.add(tf.zeros([n]), 1);
    const src = tf.add(tf.zeros([n]), 2);
    const before = tf.mul(dst, 3);
    copy(src, dst);
    const after = tf.mul(dst, 3);
    expect(await read(before)).toEqual(new Float32Array(n).fill(3));
    expect(await read(after)).toEqual(new Float32Array(n).fill(6));
    tf.dispose([dst, src, before, after]);
  });

  it('throws on a shape mismatch, naming the tensors', () => {
    const [src, dst] = [tf.zeros([4]), tf.zeros([5])];
    expect(() => copy(src, dst)).toThrow(/"src" has shape \[4\].*"dst"/);
    tf.dispose([src, dst]);
  });

  it('throws on a dtype mismatch, naming the tensor', () => {
    const [src, dst] = [tf.zeros([4], 'int32'), tf.zeros([4])];
    expect(() => copy(src, dst)).toThrow(/"src" has dtype int32/);
    tf.dispose([src, dst]);
  });

  it('refuses to write into a tensor whose buffer it also reads', () => {
    const t = tf.add(tf.zeros([8]), 1);
    expect(() => copy(t, t)).toThrow(/"dst" and "src" share one buffer/);
    t.dispose();
  });
});

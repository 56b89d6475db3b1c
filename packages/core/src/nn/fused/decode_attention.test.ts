// The cached-decoding attention kernel against a plain loop: z over the real slots only (a shorter prompt's
// padding skipped), the new row's keys and values written at `slot` and nothing else in the caches touched.
// It exists on wasm with the native module only; elsewhere decodeAttentionAvailable() is false and the op refuses.
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { normal } from '../../kernels/cpu/masked_kernel_suite.ts';
import { decodeAttentionKernel } from '../../kernels/wasm/native_lm.ts';
import { describeEachBackend, probeBackends } from '../../testing/backend_suites.ts';
import { decodeAttention, decodeAttentionAvailable } from './index.ts';

const backends = await probeBackends();

describeEachBackend('decodeAttention', backends, (backend) => {
  const [batch, heads, dHead, cap, width, slot] = [3, 2, 3, 9, 4, 6];
  const d = heads * dHead;
  const lengths = [4, 2, 3];
  const scale = 0.6;

  it(backend === 'wasm' && decodeAttentionKernel() ? 'matches the plain loop and writes the new row in place' : 'is unavailable here and says so', async () => {
    if (!(backend === 'wasm' && decodeAttentionKernel())) {
      expect(decodeAttentionAvailable()).toBe(false);
      const t = tf.zeros([1, 1, 3]) as tf.Tensor3D;
      expect(() => decodeAttention(tf.zeros([1, 9]) as tf.Tensor2D, tf.tensor1d([1], 'int32'), t, t, { heads: 1, scale: 1, slot: 0, width: 1 })).toThrow(/decodeAttention: needs the wasm backend/);
      t.dispose();
      return;
    }
    expect(decodeAttentionAvailable()).toBe(true);
    const qkv = normal(batch * 3 * d, 1);
    const kc = normal(batch * cap * d, 2);
    const vc = normal(batch * cap * d, 3);
    const kt = tf.tensor3d(kc, [batch, cap, d]);
    const vt = tf.tensor3d(vc, [batch, cap, d]);
    const z = await decodeAttention(tf.tensor2d(qkv, [batch, 3 * d]), tf.tensor1d(lengths, 'int32'), kt, vt, { heads, scale, slot, width }).data();
    const [kAfter, vAfter] = [await kt.data(), await vt.data()];
    for (let b = 0; b < batch; b++) {
      const q = qkv.subarray(b * 3 * d, b * 3 * d + d);
      const wantK = Float32Array.from(kc);
      const wantV = Float32Array.from(vc);
      wantK.set(qkv.subarray(b * 3 * d + d, b * 3 * d + 2 * d), (b * cap + slot) * d);
      wantV.set(qkv.subarray(b * 3 * d + 2 * d, b * 3 * d + 3 * d), (b * cap + slot) * d);
      for (let i = b * cap * d; i < (b + 1) * cap * d; i++) {
        expect(kAfter[i]).toBe(wantK[i]);
        expect(vAfter[i]).toBe(wantV[i]);
      }
      const real = Array.from({ length: slot + 1 }, (_, j) => j).filter((j) => j < lengths[b]! || j >= width);
      for (let h = 0; h < heads; h++) {
        const s = real.map((j) => scale * Array.from({ length: dHead }, (_, c) => q[h * dHead + c]! * wantK[(b * cap + j) * d + h * dHead + c]!).reduce((a, x) => a + x, 0));
        const max = Math.max(...s);
        const e = s.map((x) => Math.exp(x - max));
        const total = e.reduce((a, x) => a + x, 0);
        for (let c = 0; c < dHead; c++) {
          const want = real.reduce((a, j, i) => a + (e[i]! / total) * wantV[(b * cap + j) * d + h * dHead + c]!, 0);
          expect(Math.abs(z[b * d + h * dHead + c]! - want)).toBeLessThan(1e-5);
        }
      }
    }
    expect(() => decodeAttention(tf.zeros([batch, 3 * d]) as tf.Tensor2D, tf.tensor1d([5, 1, 1], 'int32'), kt, vt, { heads, scale, slot, width })).toThrow(/prompt length lies outside 1\.\.width/);
    tf.dispose([kt, vt]);
  });
});

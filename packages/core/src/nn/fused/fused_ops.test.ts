// The fused transformer ops on every backend: values against plain loops written here, gradients against
// tfjs's autodiff of the composite ops (fusedOps.enabled = false) on the same backend. On wasm with the native
// module the fused kernels must be the path taken; elsewhere the composite is, and is checked the same way.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, expect, it } from 'vitest';
import { describeEachBackend, probeBackends } from '../../testing/backend_suites.ts';
import { normal } from '../../kernels/cpu/masked_kernel_suite.ts';
import { nativeLmKernels } from '../../kernels/wasm/native_lm.ts';
import { causalAttention, causalAttentionQkv, crossEntropy, fusedKernelsAvailable, fusedOps, gelu, layerNorm, linear } from './index.ts';

const backends = await probeBackends();

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
  expect(worst).toBeLessThan(tol);
}

function erf(x: number): number {
  let sum = x;
  let term = x;
  for (let k = 1; k < 200 && Math.abs(term) > 1e-17; k++) {
    term *= (-x * x) / k;
    sum += term / (2 * k + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** Gradients of sum(op(...inputs) * weights) with respect to every input, fused and composite. */
async function bothGradients(op: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], outSize: number): Promise<[Float32Array[], Float32Array[]]> {
  const weights = normal(outSize, 7);
  const run = async (fused: boolean) => {
    fusedOps.enabled = fused;
    try {
      const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(tf.reshape(op(...xs), [-1]), tf.tensor1d(weights))))(inputs);
      const values = await Promise.all(grads.map(async (g) => Float32Array.from(await g.data())));
      tf.dispose(grads);
      return values;
    } finally {
      fusedOps.enabled = true;
    }
  };
  return [await run(true), await run(false)];
}

describeEachBackend('fused transformer ops', backends, (backend) => {
  afterEach(() => {
    fusedOps.enabled = true;
  });

  it(`takes the ${backend === 'wasm' && nativeLmKernels() ? 'fused' : 'composite'} path`, () => {
    expect(fusedKernelsAvailable()).toBe(backend === 'wasm' && nativeLmKernels() !== undefined);
  });

  it('layerNorm matches the plain loop and autodiff of the composite', async () => {
    const [rows, d] = [37, 24];
    const x = normal(rows * d, 1).map((v, i) => v * 3 + (i % d));
    const g = normal(d, 2);
    const b = normal(d, 3);
    const want = new Float32Array(rows * d);
    for (let r = 0; r < rows; r++) {
      const row = x.subarray(r * d, (r + 1) * d);
      const mean = row.reduce((a, v) => a + v, 0) / d;
      const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / d;
      for (let j = 0; j < d; j++) want[r * d + j] = ((row[j]! - mean) / Math.sqrt(variance + 1e-5)) * g[j]! + b[j]!;
    }
    const inputs = [tf.tensor3d(x, [1, rows, d]), tf.tensor1d(g), tf.tensor1d(b)];
    const y = layerNorm(inputs[0]!, inputs[1]!, inputs[2]!, 1e-5);
    expect(y.shape).toEqual([1, rows, d]);
    expectClose(await y.data(), want, 2e-5);
    const [fused, composite] = await bothGradients((xi, gi, bi) => layerNorm(xi!, gi!, bi!, 1e-5), inputs, rows * d);
    fused.forEach((grad, i) => expectClose(grad, composite[i]!, 1e-4));
    tf.dispose([...inputs, y]);
  });

  it('gelu is exact GELU, value and gradient', async () => {
    const x = Float32Array.from({ length: 2001 }, (_, i) => -6 + (12 * i) / 2000);
    const xt = tf.tensor1d(x);
    const y = await gelu(xt).data();
    expectClose(y, Array.from(x, (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))), 2e-6);
    const dx = await tf.grad((t: tf.Tensor) => tf.sum(gelu(t)))(xt).data();
    expectClose(dx, Array.from(x, (v) => 0.5 * (1 + erf(v / Math.SQRT2)) + (v * Math.exp(-v * v / 2)) / Math.sqrt(2 * Math.PI)), 2e-6);
    xt.dispose();
  });

  // dHead 5: the kernels' scalar loops; 8 with 11 positions: their 8-wide vector loops, across two blocks of keys.
  it.each([[3, 7, 2, 5], [2, 11, 2, 8]])('causalAttention matches the plain loop and autodiff of the composite (batch %i, %i positions, %i heads of %i)', async (batch, len, heads, dHead) => {
    const dModel = heads * dHead;
    const [q, k, v] = [11, 12, 13].map((s) => normal(batch * len * dModel, s));
    const scale = 1 / Math.sqrt(dHead);
    const want = new Float32Array(batch * len * dModel);
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < heads; h++) {
        for (let i = 0; i < len; i++) {
          const at = (t: number, c: number) => (b * len + t) * dModel + h * dHead + c;
          const s = Array.from({ length: i + 1 }, (_, j) => scale * Array.from({ length: dHead }, (_, c) => q![at(i, c)]! * k![at(j, c)]!).reduce((a, x) => a + x, 0));
          const max = Math.max(...s);
          const e = s.map((x) => Math.exp(x - max));
          const total = e.reduce((a, x) => a + x, 0);
          for (let c = 0; c < dHead; c++) want[at(i, c)] = e.reduce((a, w, j) => a + (w / total) * v![at(j, c)]!, 0);
        }
      }
    }
    const inputs = [q, k, v].map((x) => tf.tensor3d(x!, [batch, len, dModel]));
    const z = causalAttention(inputs[0] as tf.Tensor3D, inputs[1] as tf.Tensor3D, inputs[2] as tf.Tensor3D, heads, scale);
    expect(z.shape).toEqual([batch, len, dModel]);
    expectClose(await z.data(), want, 2e-5);
    const attend = (a?: tf.Tensor, b?: tf.Tensor, c?: tf.Tensor) => causalAttention(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D, heads, scale);
    const [fused, composite] = await bothGradients(attend, inputs, batch * len * dModel);
    fused.forEach((grad, i) => expectClose(grad, composite[i]!, 1e-4));
    tf.dispose([...inputs, z]);
  });

  it.each([[3, 7, 2, 5], [2, 11, 2, 8]])('causalAttentionQkv on one [q | k | v] product is causalAttention on its three parts, value and gradient (batch %i, %i positions, %i heads of %i)', async (batch, len, heads, dHead) => {
    const dModel = heads * dHead;
    const qkv = tf.tensor3d(normal(batch * len * 3 * dModel, 14), [batch, len, 3 * dModel]);
    const scale = 1 / Math.sqrt(dHead);
    const parts = (t: tf.Tensor) => tf.split(t, 3, 2) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
    const separate = (t: tf.Tensor) => causalAttention(...parts(t), heads, scale);
    const z = causalAttentionQkv(qkv, heads, scale);
    expect(z.shape).toEqual([batch, len, dModel]);
    expectClose(await z.data(), await separate(qkv).data(), 1e-6);
    // The gradient against the separate op's (autodiff through the split), fused and composite alike.
    const [joined] = await bothGradients((t) => causalAttentionQkv(t as tf.Tensor3D, heads, scale), [qkv], batch * len * dModel);
    const [viaParts, composite] = await bothGradients((t) => separate(t!), [qkv], batch * len * dModel);
    expectClose(joined[0]!, viaParts[0]!, 1e-5);
    expectClose(joined[0]!, composite[0]!, 1e-4);
    expect(() => causalAttentionQkv(tf.zeros([2, 3, 10]) as tf.Tensor3D, 2, 1)).toThrow(/causalAttentionQkv: qkv must be \[batch, pos, 3 \* heads \* d_head\]/);
    tf.dispose([qkv, z]);
  });

  it('linear is x w + bias, with and without bias', async () => {
    const [m, k, n] = [9, 6, 4];
    const [x, w, b] = [normal(m * k, 21), normal(k * n, 22), normal(n, 23)];
    const inputs = [tf.tensor2d(x, [m, k]), tf.tensor2d(w, [k, n]), tf.tensor1d(b)];
    const want = Array.from({ length: m * n }, (_, i) => b[i % n]! + Array.from({ length: k }, (_, c) => x[Math.floor(i / n) * k + c]! * w[c * n + (i % n)]!).reduce((a, v) => a + v, 0));
    expectClose(await linear(inputs[0] as tf.Tensor2D, inputs[1] as tf.Tensor2D, inputs[2]).data(), want, 1e-5);
    expectClose(await linear(inputs[0] as tf.Tensor2D, inputs[1] as tf.Tensor2D).data(), want.map((v, i) => v - b[i % n]!), 1e-5);
    const [fused, composite] = await bothGradients((a, wi, bi) => linear(a as tf.Tensor2D, wi as tf.Tensor2D, bi), inputs, m * n);
    fused.forEach((grad, i) => expectClose(grad, composite[i]!, 1e-5));
    tf.dispose(inputs);
  });

  it('crossEntropy is logSumExp - logit of the target, gradient softmax - onehot', async () => {
    const [n, vocab] = [11, 9];
    const logits = normal(n * vocab, 31).map((v) => v * 4);
    const targets = Int32Array.from({ length: n }, (_, i) => (i * 5) % vocab);
    const want = Array.from({ length: n }, (_, r) => {
      const row = Array.from(logits.subarray(r * vocab, (r + 1) * vocab));
      const max = Math.max(...row);
      return Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0)) + max - row[targets[r]!]!;
    });
    const lt = tf.tensor2d(logits, [n, vocab]);
    const tt = tf.tensor1d(targets, 'int32');
    expectClose(await crossEntropy(lt, tt).data(), want, 1e-5);
    const [fused, composite] = await bothGradients((l) => crossEntropy(l as tf.Tensor2D, tt), [lt], n);
    expectClose(fused[0]!, composite[0]!, 1e-5);
    expect(() => crossEntropy(lt, tf.tensor1d([1, 2], 'int32'))).toThrow(/crossEntropy: expected logits \[n, vocab\]/);
    tf.dispose([lt, tt]);
  });

  it('leaves no tensors behind (forward and backward)', () => {
    const x = tf.tensor3d(normal(2 * 3 * 8, 41), [2, 3, 8]);
    const g = tf.ones([8]);
    const b = tf.zeros([8]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grads((xi: tf.Tensor) => tf.sum(gelu(causalAttention(layerNorm(xi, g, b, 1e-5) as tf.Tensor3D, xi as tf.Tensor3D, xi as tf.Tensor3D, 2, 0.5))))([x]);
      tf.grads((xi: tf.Tensor) => tf.sum(causalAttentionQkv(tf.concat([xi, xi, xi], 2) as tf.Tensor3D, 2, 0.5)))([x]);
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, g, b]);
  });
});

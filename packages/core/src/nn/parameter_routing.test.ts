// Parameter routing by unit, on every backend, against a brute-force reference: the same tiny model run
// with its own copy of every parameter at every unit (row), so that the gradient of copy t is exactly the
// gradient through unit t; the reference split is sum_t m_class(t) * dL/dtheta_t. With one class per
// sequence the split must also equal the exact two-pass one (forget loss's gradient masked by the forget
// masks plus the retain loss's by the retain masks).
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { normal } from '../kernels/cpu/masked_kernel_suite.ts';
import { describeEachBackend, probeBackends } from '../testing/backend_suites.ts';
import { addPositions, causalAttention, layerNorm, linear, oneHotEmbed } from './fused/index.ts';
import { concatParameters, sliceParameterRows, withParameterRouting, type ParameterClassMasks } from './parameter_routing.ts';

const backends = await probeBackends();

const [B, P, MAXLEN, V, D] = [2, 3, 4, 5, 4];
const UNITS = B * P;
const TOKENS = [1, 4, 2, 0, 3, 3];
const SHAPES: Record<string, number[]> = {
  E: [V, D], Pos: [MAXLEN, D], gamma: [D], beta: [D], Wa: [D, D], Wb: [D, D], ba: [D], bb: [D], Wo: [D, V], bo: [V],
};
const NAMES = Object.keys(SHAPES);
const size = (name: string) => SHAPES[name]!.reduce((a, b) => a * b, 1);

/** Every kind of mask: whole-tensor one-class, whole-tensor soft, column-wise (via concatenation), dense. */
function masksFor(name: string, seed: number): ParameterClassMasks {
  const n = size(name);
  const fill = (v: number) => new Float32Array(n).fill(v);
  const dense = (s: number) => Float32Array.from(normal(n, s), (v) => (v > 0 ? 1 : v > -0.5 ? 0.3 : 0));
  switch (name) {
    case 'E': return { forget: fill(1), retain: fill(0) };
    case 'Pos': return { forget: dense(seed), retain: dense(seed + 1) };
    case 'gamma': return { forget: fill(0.5), retain: fill(1) };
    case 'beta': return { forget: fill(0.5), retain: fill(1) };
    case 'Wa': return { forget: fill(0), retain: fill(1) };
    case 'Wb': return { forget: fill(1), retain: fill(0) };
    case 'ba': return { forget: fill(0), retain: fill(1) };
    case 'bb': return { forget: dense(seed + 2), retain: fill(1) };
    case 'Wo': return { forget: dense(seed + 3), retain: dense(seed + 4) };
    case 'bo': return { forget: fill(0.3), retain: fill(1) };
    default: return { forget: fill(1), retain: fill(1) };
  }
}

const OUT_WEIGHTS = normal(UNITS * V, 99);

/** Per-unit losses [units] of the tiny model; `at(name, t)` is the parameter that unit t reads. */
function unitLosses(at: (name: string, t: number) => tf.Tensor, perUnit: boolean): tf.Tensor {
  const oneHot = tf.oneHot(tf.tensor1d(TOKENS, 'int32'), V).toFloat() as tf.Tensor2D;
  let h: tf.Tensor2D;
  let u: tf.Tensor2D;
  if (!perUnit) {
    const e = tf.reshape(oneHotEmbed(oneHot, at('E', 0) as tf.Tensor2D), [B, P, D]);
    const x = addPositions(e, sliceParameterRows(at('Pos', 0), P));
    h = tf.reshape(layerNorm(x, at('gamma', 0), at('beta', 0), 1e-5), [UNITS, D]) as tf.Tensor2D;
    u = linear(h, concatParameters([at('Wa', 0), at('Wb', 0)], 1) as tf.Tensor2D, concatParameters([at('ba', 0), at('bb', 0)], 0));
  } else {
    // Row by row, each unit with its own parameters, in plain tfjs ops (autodiff).
    const rows = Array.from({ length: UNITS }, (_, t) => {
      const e = tf.matMul(tf.slice(oneHot, [t, 0], [1, V]), at('E', t));
      const x = tf.add(e, tf.slice(at('Pos', t), [t % P, 0], [1, D]));
      const { mean, variance } = tf.moments(x, 1, true);
      const hr = tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), at('gamma', t)), at('beta', t)) as tf.Tensor2D;
      const ur = tf.concat([tf.add(tf.matMul(hr, at('Wa', t) as tf.Tensor2D), at('ba', t)), tf.add(tf.matMul(hr, at('Wb', t) as tf.Tensor2D), at('bb', t))], 1);
      return [hr, ur] as const;
    });
    h = tf.concat(rows.map((r) => r[0]), 0) as tf.Tensor2D;
    u = tf.concat(rows.map((r) => r[1]), 0) as tf.Tensor2D;
  }
  // Attention mixes units of a sequence (no parameters): a gradient at unit t reaches units before it.
  const q = tf.reshape(tf.slice(u, [0, 0], [UNITS, D]), [B, P, D]) as tf.Tensor3D;
  const k = tf.reshape(tf.slice(u, [0, D], [UNITS, D]), [B, P, D]) as tf.Tensor3D;
  const z = tf.reshape(causalAttention(q, k, tf.reshape(h, [B, P, D]) as tf.Tensor3D, 2, 0.7), [UNITS, D]) as tf.Tensor2D;
  const out = perUnit
    ? tf.concat(Array.from({ length: UNITS }, (_, t) => tf.add(tf.matMul(tf.slice(z, [t, 0], [1, D]), at('Wo', t) as tf.Tensor2D), at('bo', t))), 0)
    : linear(z, at('Wo', 0) as tf.Tensor2D, at('bo', 0));
  return tf.sum(tf.mul(tf.tanh(out), tf.tensor2d(OUT_WEIGHTS, [UNITS, V])), 1);
}

const initial = Object.fromEntries(NAMES.map((n, i) => [n, Float32Array.from(normal(size(n), 10 + i), (v) => (n === 'gamma' ? 1 + 0.3 * v : 0.5 * v))]));

async function values(ts: tf.Tensor[]): Promise<Float32Array[]> {
  return Promise.all(ts.map(async (t) => Float32Array.from(await t.data())));
}

function expectClose(got: Float32Array, want: Float32Array, name: string): void {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  expect(worst, name).toBeLessThan(2e-5);
}

/** Routed gradients from one pass of the core ops, by parameter name. */
async function routedGrads(isForget: number[], masks: Record<string, ParameterClassMasks>): Promise<Record<string, Float32Array>> {
  const vars = NAMES.map((n) => tf.tidy(() => tf.variable(tf.tensor(initial[n]!, SHAPES[n]!))));
  const byName = Object.fromEntries(NAMES.map((n, i) => [n, vars[i]!]));
  const spec = { unitIsForget: isForget, masks: new Map(NAMES.map((n, i) => [vars[i]! as tf.Tensor, masks[n]!])) };
  const { value, routed } = withParameterRouting(spec, () => tf.variableGrads(() => tf.sum(unitLosses((n) => byName[n]!, false)) as tf.Scalar, vars));
  expect(routed.size).toBe(NAMES.length);
  const out = Object.fromEntries(NAMES.map((n, i) => [n, value.grads[vars[i]!.name]!]));
  const read = await values(NAMES.map((n) => out[n]!));
  tf.dispose([value.value, ...Object.values(value.grads), ...vars]);
  return Object.fromEntries(NAMES.map((n, i) => [n, read[i]!]));
}

describeEachBackend('parameter routing by unit', backends, () => {
  const masks = Object.fromEntries(NAMES.map((n, i) => [n, masksFor(n, 50 + i)]));

  it('equals the brute-force per-unit split (labels per token)', async () => {
    const isForget = [1, 0, 0, 0, 1, 1];
    const got = await routedGrads(isForget, masks);
    // One copy of every parameter per unit: the gradient of copy t is what flows through unit t.
    const copies = NAMES.flatMap((n) => Array.from({ length: UNITS }, () => tf.tensor(initial[n]!, SHAPES[n]!)));
    const grads = tf.grads((...cs: tf.Tensor[]) => tf.sum(unitLosses((n, t) => cs[NAMES.indexOf(n) * UNITS + t]!, true)))(copies);
    const perCopy = await values(grads);
    for (const [i, n] of NAMES.entries()) {
      const want = new Float32Array(size(n));
      for (let t = 0; t < UNITS; t++) {
        const m = isForget[t] ? masks[n]!.forget : masks[n]!.retain;
        perCopy[i * UNITS + t]!.forEach((g, j) => (want[j] = want[j]! + m[j]! * g));
      }
      expectClose(got[n]!, want, n);
    }
    tf.dispose([...copies, ...grads]);
  });

  it('equals the exact two-pass split when each sequence has one class', async () => {
    const isForget = [1, 1, 1, 0, 0, 0];
    const got = await routedGrads(isForget, masks);
    const vars = NAMES.map((n) => tf.tensor(initial[n]!, SHAPES[n]!));
    const classGrads = async (select: number[]) => values(tf.grads((...ps: tf.Tensor[]) => tf.sum(tf.mul(unitLosses((n) => ps[NAMES.indexOf(n)]!, false), tf.tensor1d(select))))(vars));
    const forget = await classGrads(isForget);
    const retain = await classGrads(isForget.map((f) => 1 - f));
    for (const [i, n] of NAMES.entries()) {
      const want = forget[i]!.map((g, j) => masks[n]!.forget[j]! * g + masks[n]!.retain[j]! * retain[i]![j]!);
      expectClose(got[n]!, want, n);
    }
    tf.dispose(vars);
  });

  it('leaves the ops unchanged outside a context and frees what it made', async () => {
    const before = tf.memory().numTensors;
    await routedGrads([1, 0, 1, 0, 1, 0], masks);
    expect(tf.memory().numTensors).toBe(before);
    const w = tf.variable(tf.ones([D, D]));
    const x = tf.ones([UNITS, D]) as tf.Tensor2D;
    const spec = { unitIsForget: [1, 0], masks: new Map([[w as tf.Tensor, masksFor('Wa', 0)]]) };
    expect(() => withParameterRouting(spec, () => linear(x, w as tf.Tensor2D))).toThrow(/linear: parameter routing needs one row per unit \(2\), got 6 rows/);
    tf.dispose([w, x]);
  });
});

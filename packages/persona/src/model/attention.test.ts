import { causalAttention, linear, Rng, tf, withHooks, withParameterRouting, type ParameterClassMasks } from '@routelab/core';
import { describeEachBackend, probeBackends } from '@routelab/core/testing';
import { expect, it } from 'vitest';
import { Attention, causalMask } from './attention.ts';
import { maxAbsDiff, values } from './test_helpers.ts';

const backends = await probeBackends(['cpu', 'wasm']);

const [BATCH, POS, D_MODEL, HEADS] = [3, 5, 8, 2];

/** Large weights so that every gradient is well away from rounding. */
function makeAttention(): Attention {
  return new Attention(Rng.fromSeed(3), { dModel: D_MODEL, nHeads: HEADS }, { std: 0.5, outStd: 0.5 });
}

function input(): tf.Tensor3D {
  return tf.tensor3d(Array.from({ length: BATCH * POS * D_MODEL }, (_, i) => Math.sin(0.7 * i)), [BATCH, POS, D_MODEL]);
}

/** The formulation before the joined product: three separate projections, core's attention, the output product. */
function separateProjections(attn: Attention, x: tf.Tensor3D): tf.Tensor {
  const flat = tf.reshape(x, [BATCH * POS, D_MODEL]) as tf.Tensor2D;
  const [q, k, v] = ([[attn.w_q, attn.b_q], [attn.w_k, attn.b_k], [attn.w_v, attn.b_v]] as const).map(([w, b]) =>
    tf.reshape(linear(flat, w as tf.Tensor2D, b), [BATCH, POS, D_MODEL]) as tf.Tensor3D);
  const z = causalAttention(q!, k!, v!, HEADS, 1 / Math.sqrt(D_MODEL / HEADS));
  return tf.reshape(linear(tf.reshape(z, [BATCH * POS, D_MODEL]) as tf.Tensor2D, attn.w_o as tf.Tensor2D, attn.b_o), [BATCH, POS, D_MODEL]);
}

/** A loss that weights every output element differently, so no gradient vanishes by symmetry. */
function weightedSum(out: tf.Tensor, rows?: number[]): tf.Scalar {
  const weights = tf.reshape(tf.sin(tf.range(0, out.size)), out.shape);
  const picked = rows ? tf.mul(tf.mul(out, weights), tf.reshape(tf.tensor1d(rows), [BATCH, 1, 1])) : tf.mul(out, weights);
  return tf.sum(picked) as tf.Scalar;
}

/**
 * max |a - b| per tensor, relative to b's largest element, with a floor relative to the largest element of
 * all: b_k's gradient is 0 up to rounding (softmax ignores a shift shared by all keys).
 */
function mismatches(names: string[], a: Float32Array[], b: Float32Array[], tol: number): string[] {
  const largest = (t: Float32Array) => Math.max(...Array.from(t, Math.abs));
  const floor = tol * Math.max(...b.map(largest)) * 1e-2;
  return names.flatMap((name, i) => {
    const scale = largest(b[i]!);
    const diff = maxAbsDiff(a[i]!, b[i]!);
    return diff <= tol * scale + floor ? [] : [`${name}: ${diff} of ${scale}`];
  });
}

describeEachBackend('Attention, one joined Q/K/V product', backends, () => {
  it('computes the same output and gradients as three separate projections, fused and hooked paths alike', async () => {
    const attn = makeAttention();
    const x = tf.variable(input(), true, 'attention_test_x');
    const mask = causalMask(POS);
    const named = attn.namedParameters();
    const vars = [...named.map(([, v]) => v), x];
    const names = [...named.map(([n]) => n), 'x'];
    const run = async (forward: () => tf.Tensor) => {
      const out = await values(tf.tidy(forward));
      const { value, grads } = tf.variableGrads(() => weightedSum(forward()), vars);
      const result = { out, grads: await Promise.all(vars.map((v) => values(grads[v.name]!))) };
      tf.dispose([value, ...Object.values(grads)]);
      return result;
    };
    const reference = await run(() => separateProjections(attn, x));
    const joined = await run(() => attn.forward(x, mask));
    let seen = 0;
    const hooked = await run(() => withHooks(attn, [['pattern', () => void seen++]], () => attn.forward(x, mask)));
    expect(seen).toBeGreaterThan(0);
    for (const got of [joined, hooked]) {
      expect(maxAbsDiff(got.out, reference.out)).toBeLessThan(1e-5);
      expect(mismatches(names, got.grads, reference.grads, 1e-4)).toEqual([]);
    }
    tf.dispose([x, mask]);
    attn.dispose();
  });

  it('keeps each projection\'s parameter-routing masks on its own columns of the joined weight', async () => {
    // One class per sequence: then splitting each parameter's gradient by the class of each row equals
    // masking the per-class losses' gradients (rows of different sequences never interact).
    const attn = makeAttention();
    const x = input();
    const mask = causalMask(POS);
    const isForgetSeq = [1, 0, 1];
    const classMasks = (forget: number, retain: number, size: number): ParameterClassMasks => ({ forget: new Float32Array(size).fill(forget), retain: new Float32Array(size).fill(retain) });
    // q: forget only, k: retain only, v: both halves, the output product: both.
    const byName: Record<string, [number, number]> = { w_q: [1, 0], b_q: [1, 0], w_k: [0, 1], b_k: [0, 1], w_v: [0.5, 2], b_v: [0.5, 2], w_o: [1, 1], b_o: [1, 1] };
    const named = attn.namedParameters();
    const vars = named.map(([, v]) => v);
    const masks = new Map(named.map(([n, v]) => [v as tf.Tensor, classMasks(...byName[n]!, v.size)] as const));
    const unitIsForget = isForgetSeq.flatMap((f) => new Array<number>(POS).fill(f));
    const { value: routed } = withParameterRouting({ unitIsForget, masks }, () => {
      const { value, grads } = tf.variableGrads(() => weightedSum(attn.forward(x, mask)), vars);
      value.dispose();
      return grads;
    });
    const classGrads = (rows: number[]) => {
      const { value, grads } = tf.variableGrads(() => weightedSum(separateProjections(attn, x), rows), vars);
      value.dispose();
      return grads;
    };
    const forget = classGrads(isForgetSeq);
    const retain = classGrads(isForgetSeq.map((f) => 1 - f));
    const expected = await Promise.all(named.map(([n, v]) => {
      const [f, r] = byName[n]!;
      return values(tf.tidy(() => tf.add(tf.mul(forget[v.name]!, f), tf.mul(retain[v.name]!, r))));
    }));
    const got = await Promise.all(vars.map((v) => values(routed[v.name]!)));
    expect(mismatches(named.map(([n]) => n), got, expected, 1e-4)).toEqual([]);
    tf.dispose([x, mask, ...Object.values(routed), ...Object.values(forget), ...Object.values(retain)]);
    attn.dispose();
  });
});

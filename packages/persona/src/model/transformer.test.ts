import { initNormal, Rng, tf, withHooks } from '@routelab/core';
import { describeEachBackend, probeBackends } from '@routelab/core/testing';
import { expect, it } from 'vitest';
import { Transformer } from './transformer.ts';
import { maxAbsDiff, tokens, TINY, values } from './test_helpers.ts';

const backends = await probeBackends(['cpu', 'wasm']);

const BLOCK_PARAMS = [
  'ln1.weight', 'ln1.bias',
  'attn.w_q', 'attn.b_q', 'attn.w_k', 'attn.b_k', 'attn.w_v', 'attn.b_v', 'attn.w_o', 'attn.b_o',
  'ln2.weight', 'ln2.bias',
  'mlp.w_in', 'mlp.b_in', 'mlp.w_out', 'mlp.b_out',
];

describeEachBackend('Transformer', backends, () => {
  it('has stable dotted parameter names and shapes', () => {
    const model = new Transformer(TINY, Rng.fromSeed(1));
    const names = model.namedParameters().map(([n]) => n);
    expect(names).toEqual([
      'token_embedding', 'position_embedding',
      ...BLOCK_PARAMS.map((p) => `blocks.0.${p}`),
      ...BLOCK_PARAMS.map((p) => `blocks.1.${p}`),
      'ln_final.weight', 'ln_final.bias', 'unembed.weight', 'unembed.bias',
    ]);
    const shapes = model.parameterShapes();
    expect(shapes['token_embedding']).toEqual([20, 16]);
    expect(shapes['position_embedding']).toEqual([12, 16]);
    expect(shapes['blocks.1.attn.w_o']).toEqual([16, 16]);
    expect(shapes['blocks.0.mlp.w_in']).toEqual([16, 32]);
    expect(shapes['blocks.0.mlp.w_out']).toEqual([32, 16]);
    expect(shapes['unembed.weight']).toEqual([16, 20]);
    model.dispose();
  });

  it('adds expanded-unit parameters only to the expanded blocks', () => {
    const model = new Transformer({ ...TINY, expandedMlp: 8, expandedLayers: [1] }, Rng.fromSeed(1));
    const shapes = model.parameterShapes();
    expect(Object.keys(shapes).filter((n) => n.includes('expanded'))).toEqual([
      'blocks.1.mlp.w_in_expanded', 'blocks.1.mlp.b_in_expanded', 'blocks.1.mlp.w_out_expanded',
    ]);
    expect(shapes['blocks.1.mlp.w_in_expanded']).toEqual([16, 8]);
    expect(shapes['blocks.1.mlp.w_out_expanded']).toEqual([8, 16]);
    expect(model.hookPointNames()).toContain('blocks.1.mlp.out_expanded');
    expect(model.hookPointNames()).not.toContain('blocks.0.mlp.out_expanded');
    expect(model.hookPoint('blocks.1.mlp.hidden').shape).toBe('[batch, pos, 40]');
    model.dispose();
  });

  it('maps [batch, pos] ids to [batch, pos, vocab] logits, every hook seeing its declared shape', async () => {
    const model = new Transformer({ ...TINY, expandedMlp: 8 }, Rng.fromSeed(2));
    const seen = new Map<string, number[]>();
    const hooks = model.hookPointNames().map((name) => [name, (x: tf.Tensor) => void seen.set(name, [...x.shape])] as const);
    const logits = withHooks(model, hooks, () => model.forward(tokens([[1, 2, 3, 4, 5], [1, 6, 7, 0, 0], [1, 2, 0, 0, 0]])));
    expect(logits.shape).toEqual([3, 5, 20]);
    expect(model.hookPointNames()).toEqual(expect.arrayContaining([
      'embed', 'pos_embed', 'blocks.0.attn.pattern', 'blocks.0.attn.out', 'blocks.0.resid_mid', 'blocks.0.mlp.hidden',
      'blocks.0.mlp.out_original', 'blocks.0.mlp.out_expanded', 'blocks.0.mlp.out', 'blocks.0.resid_post', 'blocks.1.resid_post', 'logits',
    ]));
    for (const [name, point] of model.namedHookPoints()) {
      const declared = point.shape!.replace(/[[\]\s]/g, '').split(',');
      const actual = seen.get(name);
      expect(actual, name).toBeDefined();
      const expected = declared.map((d) => (d === 'batch' ? 3 : d === 'pos' ? 5 : Number(d)));
      expect(actual, name).toEqual(expected);
    }
    // Attention rows are distributions over the keys at or before the query.
    let pattern: tf.Tensor | undefined;
    withHooks(model, [['blocks.0.attn.pattern', (x: tf.Tensor) => void (pattern = tf.keep(tf.clone(x)))]], () =>
      tf.dispose(model.forward(tokens([[1, 2, 3, 4, 5]])))
    );
    const p = (await pattern!.array()) as number[][][][];
    expect(p[0]![1]![2]![3]).toBe(0);
    for (const row of p[0]![0]!) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    tf.dispose([logits, pattern!]);
    model.dispose();
  });

  it('is causal: changing a later token leaves every earlier position unchanged', async () => {
    const model = new Transformer(TINY, Rng.fromSeed(3));
    const a = await values(model.forward(tokens([[1, 4, 9, 2, 7, 3]])));
    const b = await values(model.forward(tokens([[1, 4, 9, 2, 11, 3]])));
    const prefix = 4 * 20; // positions 0..3
    expect(maxAbsDiff(a.subarray(0, prefix), b.subarray(0, prefix))).toBeLessThan(1e-6);
    expect(maxAbsDiff(a.subarray(prefix), b.subarray(prefix))).toBeGreaterThan(1e-4);
    model.dispose();
  });

  it('ablating mlp.out_expanded changes the output only once the expanded units write to the residual', async () => {
    const model = new Transformer({ ...TINY, expandedMlp: 8 }, Rng.fromSeed(4));
    const input = tokens([[1, 5, 6, 7, 8]]);
    const ablate = ['blocks.0.mlp.out_expanded', 'blocks.1.mlp.out_expanded'].map((n) => [n, (x: tf.Tensor) => tf.zerosLike(x)] as const);
    const plain = await values(model.forward(input));
    const ablated = await values(withHooks(model, ablate, () => model.forward(input)));
    expect(maxAbsDiff(plain, ablated)).toBe(0); // new output weights start at zero
    // (random, not constant: a constant vector added to the residual is removed by the next layer norm)
    const weights = initNormal(Rng.fromSeed(9), [8, 16], 0.3);
    model.parameter('blocks.0.mlp.w_out_expanded').assign(weights);
    weights.dispose();
    const live = await values(model.forward(input));
    const liveAblated = await values(withHooks(model, ablate, () => model.forward(input)));
    expect(maxAbsDiff(live, liveAblated)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(plain, liveAblated)).toBeLessThan(1e-5); // ablation recovers the unexpanded function
    model.dispose();
  });

  it('gives the original parameters the same initial values with or without expansion', async () => {
    const plain = new Transformer(TINY, Rng.fromSeed(5));
    const expanded = new Transformer({ ...TINY, expandedMlp: 8 }, Rng.fromSeed(5));
    for (const [name, v] of plain.namedParameters()) expect(maxAbsDiff(await values(v), await values(expanded.parameter(name))), name).toBe(0);
    const input = tokens([[1, 2, 3]]);
    expect(maxAbsDiff(await values(plain.forward(input)), await values(expanded.forward(input)))).toBeLessThan(1e-5);
    expect(new Transformer(TINY, Rng.fromSeed(5), {}).parameterCount()).toBe(plain.parameterCount());
    plain.dispose();
    expanded.dispose();
  });

  it('refuses inputs longer than maxLen and does not leak tensors', () => {
    const model = new Transformer(TINY, Rng.fromSeed(6));
    expect(() => model.forward(tokens([Array.from({ length: 13 }, () => 1)]))).toThrow(/1\.\.12/);
    tf.dispose(model.forward(tokens([[1, 2]]))); // builds the length-2 causal mask
    const input = tokens([[1, 2]]);
    const before = tf.memory().numTensors;
    tf.dispose(model.forward(input));
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describeEachBackend('Transformer, fused and hooked attention paths', backends, () => {
  // A hook inside attention (here an observer on the pattern) sends attention through the composite path
  // with every hook point; without one, the fused kernels run where the backend has them. Same function.
  it('give the same logits and the same gradients', async () => {
    const model = new Transformer({ ...TINY, expandedMlp: 4 }, Rng.fromSeed(5));
    const ids = tokens([[1, 2, 3, 4, 5, 6, 7, 8], [9, 8, 7, 6, 5, 4, 3, 2], [3, 3, 3, 1, 1, 1, 2, 2]]);
    const vars = model.namedParameters().map(([, v]) => v);
    const run = async (observe: boolean) => {
      let seen = 0;
      const hooks = observe ? [0, 1].map((l) => [`blocks.${l}.attn.pattern`, () => void seen++] as const) : [];
      const { value, grads } = tf.variableGrads(() => withHooks(model, hooks, () => tf.mean(tf.square(model.forward(ids)))) as tf.Scalar, vars);
      const out = { loss: (await value.data())[0]!, grads: await Promise.all(vars.map((v) => values(grads[v.name]!))), seen };
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    };
    const fused = await run(false);
    const hooked = await run(true);
    expect(hooked.seen).toBe(2);
    expect(Math.abs(fused.loss - hooked.loss)).toBeLessThan(1e-6);
    // Relative to each gradient's largest element, with an absolute floor: b_k's gradient is 0 up to rounding
    // (softmax ignores a shift shared by all keys), and w_in_expanded's is 0 (w_out_expanded starts at 0).
    const names = model.namedParameters().map(([n]) => n);
    const mismatched = fused.grads.flatMap((g, i) => {
      const scale = Math.max(...Array.from(hooked.grads[i]!, Math.abs));
      const diff = maxAbsDiff(g, hooked.grads[i]!);
      return diff <= 1e-4 * scale + 1e-9 ? [] : [`${names[i]}: ${diff} of ${scale}`];
    });
    expect(mismatched).toEqual([]);
    tf.dispose(ids);
    model.dispose();
  });
});

import { initNormal, Rng, tf } from '@routelab/core';
import { describeEachBackend, probeBackends } from '@routelab/core/testing';
import { expect, it } from 'vitest';
import { ModelConfigError } from './config.ts';
import { expandModel, expandStateDict, removeExpansion } from './expand.ts';
import { Transformer } from './transformer.ts';
import { maxAbsDiff, tokens, TINY, values } from './test_helpers.ts';

const backends = await probeBackends(['cpu', 'wasm']);

/** A model whose every parameter is random (as if trained): zero biases and unit gains would hide bugs. */
function trainedLooking(config = TINY, seed = 1): Transformer {
  const model = new Transformer(config, Rng.fromSeed(seed));
  const rng = Rng.fromSeed(`weights-${seed}`);
  for (const [name, v] of model.namedParameters()) {
    const value = initNormal(rng.split(name), v.shape, 0.2);
    v.assign(value);
    value.dispose();
  }
  return model;
}

const input = () => tokens([[1, 3, 5, 7, 9, 11], [1, 2, 4, 8, 16, 0]]);

describeEachBackend('ERA expansion', backends, () => {
  it('expandStateDict keeps every trained weight, so the expanded model computes the same logits', async () => {
    const source = trainedLooking();
    const to = { ...TINY, expandedMlp: 8 };
    const rootRng = Rng.fromSeed(42);
    const state = expandStateDict(source.stateDict(), TINY, to, rootRng);
    const expanded = new Transformer(to, Rng.fromSeed(7));
    expanded.loadStateDict(state);
    tf.dispose(Object.values(state));
    expect(maxAbsDiff(await values(source.forward(input())), await values(expanded.forward(input())))).toBeLessThan(1e-5);
    // New units are what a model built expanded from rootRng starts with.
    const fresh = new Transformer(to, rootRng);
    for (const name of ['blocks.0.mlp.w_in_expanded', 'blocks.1.mlp.w_in_expanded', 'blocks.1.mlp.w_out_expanded']) {
      expect(maxAbsDiff(await values(expanded.parameter(name)), await values(fresh.parameter(name))), name).toBe(0);
    }
    expect(await values(expanded.parameter('blocks.1.mlp.w_out_expanded'))).toEqual(new Float32Array(8 * 16));
    for (const m of [source, expanded, fresh]) m.dispose();
  });

  it('with non-zero new output weights the function changes, and ablating the contribution restores it', async () => {
    const source = trainedLooking();
    const expanded = expandModel(source, { expandedMlp: 8 }, Rng.fromSeed(3), { expandedOutStd: 0.5 });
    const base = await values(source.forward(input()));
    expect(maxAbsDiff(base, await values(expanded.forward(input())))).toBeGreaterThan(1e-3);
    const sliced = removeExpansion(expanded);
    expect(sliced.config.expandedMlp).toBe(0);
    expect(maxAbsDiff(base, await values(sliced.forward(input())))).toBeLessThan(1e-5);
    for (const m of [source, expanded, sliced]) m.dispose();
  });

  it('grows an already expanded model, keeping its trained extra units', async () => {
    const source = trainedLooking({ ...TINY, expandedMlp: 4, expandedLayers: [1] });
    const grown = expandModel(source, { expandedMlp: 6, expandedLayers: 'all' }, Rng.fromSeed(5));
    const before = (await source.parameter('blocks.1.mlp.w_in_expanded').array()) as number[][];
    const after = (await grown.parameter('blocks.1.mlp.w_in_expanded').array()) as number[][];
    expect(after.map((row) => row.slice(0, 4))).toEqual(before);
    expect(grown.parameterShapes()['blocks.0.mlp.w_in_expanded']).toEqual([16, 6]);
    expect(maxAbsDiff(await values(source.forward(input())), await values(grown.forward(input())))).toBeLessThan(1e-5);
    for (const m of [source, grown]) m.dispose();
  });

  it('refuses configs that differ in more than expansion, and shrinking', () => {
    const source = trainedLooking();
    const state = source.stateDict();
    const err = (() => {
      try {
        expandStateDict(state, TINY, { ...TINY, dMlp: 64, expandedMlp: 8 }, Rng.fromSeed(1));
      } catch (e) {
        return e as ModelConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ModelConfigError);
    expect(err!.field).toBe('dMlp');
    expect(err!.message).toMatch(/dMlp \(32 -> 64\)/);
    expect(() => expandStateDict(state, { ...TINY, expandedMlp: 8 }, { ...TINY, expandedMlp: 4 }, Rng.fromSeed(1))).toThrow(/cannot shrink/);
    source.dispose();
  });
});

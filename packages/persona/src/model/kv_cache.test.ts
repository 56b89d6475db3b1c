import { Rng, tf, withHooks } from '@routelab/core';
import { describeEachBackend, probeBackends } from '@routelab/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generate } from './generate.ts';
import { KvCache } from './kv_cache.ts';
import { Transformer } from './transformer.ts';
import { maxAbsDiff, TINY } from './test_helpers.ts';

const backends = await probeBackends(['cpu', 'wasm']);
/** These tests run several generate() calls each; on a loaded machine they can pass vitest's 5 s default. */
const SLOW = 60_000;

/**
 * A random model whose parameters are drawn at std 0.5 (not the 0.02 initialisation), so that greedy outputs
 * vary by prompt and by step: at the initial scale every prompt would emit the same token forever.
 */
function randomModel(config: typeof TINY, seed: number): Transformer {
  const model = new Transformer(config, Rng.fromSeed(seed));
  const rng = Rng.fromSeed(seed + 1000);
  for (const p of model.parameters()) {
    const values = Float32Array.from({ length: p.size }, () => rng.normal() * 0.5);
    tf.tidy(() => p.assign(tf.tensor(values, p.shape)));
  }
  return model;
}

// Lengths 1..11 at maxLen 12: some rows have room for many tokens, one for a single token, one for none.
const prompts = [[1, 6], [3, 9, 10, 11], [1, 7, 8], [4], [1, 12, 13, 14, 15, 16, 17], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2], [19, 0]];

describeEachBackend('KvCache and generate with a cache', backends, () => {
  const models: Record<string, Transformer> = {};
  beforeAll(() => {
    models.plain = randomModel(TINY, 5);
    models.expanded = randomModel({ ...TINY, expandedMlp: 6, expandedLayers: [1] }, 6);
    models.deeper = randomModel({ ...TINY, nLayers: 3, nHeads: 4, expandedMlp: 4 }, 7);
  });
  afterAll(() => {
    for (const m of Object.values(models)) m.dispose();
  });

  it('gives each step the logits of the full forward at that position', async () => {
    const model = models.expanded!;
    const rows = [[1, 6, 7], [3], [4, 5, 6, 7, 8]];
    const width = 5;
    const ids = new Int32Array(rows.length * width);
    rows.forEach((r, i) => ids.set(r, i * width));
    const { cache, logits } = KvCache.prefill(model, ids, rows.map((r) => r.length), width);
    const full = (seqs: number[][]) => tf.tidy(() => {
      const w = Math.max(...seqs.map((s) => s.length));
      const padded = seqs.map((s) => [...s, ...Array(w - s.length).fill(0)]);
      const out = model.forward(tf.tensor2d(padded, [seqs.length, w], 'int32'));
      return tf.stack(seqs.map((s, i) => tf.slice(out, [i, s.length - 1, 0], [1, 1, TINY.vocabSize]).reshape([TINY.vocabSize])));
    });
    const expectClose = async (got: tf.Tensor, want: tf.Tensor) => {
      expect(got.shape).toEqual(want.shape);
      expect(maxAbsDiff(await got.data(), await want.data())).toBeLessThan(1e-4);
      tf.dispose([got, want]);
    };
    await expectClose(logits, full(rows));
    const seqs = rows.map((r) => [...r]);
    // Two steps for all three rows, then only rows 2 and 0 (in that order).
    for (const next of [[9, 10, 11], [12, 13, 14]]) {
      next.forEach((t, i) => seqs[i]!.push(t));
      const got = cache.step(Int32Array.from(next), Int32Array.from(seqs, (s) => s.length - 1));
      await expectClose(got, full(seqs));
      expect(cache.batch).toBe(3);
    }
    cache.select([2, 0]);
    expect(cache.batch).toBe(2);
    seqs[2]!.push(15);
    seqs[0]!.push(16);
    await expectClose(cache.step(Int32Array.from([15, 16]), Int32Array.from([seqs[2]!.length - 1, seqs[0]!.length - 1])), full([seqs[2]!, seqs[0]!]));
    expect(() => cache.step(Int32Array.from([1]), Int32Array.from([1]))).toThrow(/1 tokens and 1 positions for 2 rows/);
    cache.dispose();
  }, SLOW);

  it('decodes greedily token for token as the uncached path, prompts of different lengths, expanded models included', async () => {
    for (const [name, model] of Object.entries(models)) {
      for (const batchSize of [256, 3]) {
        const uncached = await generate(model, prompts, { maxNewTokens: 10, stopAt: null, kvCache: false, batchSize });
        const cached = await generate(model, prompts, { maxNewTokens: 10, stopAt: null, batchSize });
        expect(cached, `${name} b${batchSize}`).toEqual(uncached);
        expect(new Set(cached.map((r) => r.join(','))).size, name).toBeGreaterThan(3); // outputs differ by prompt
        expect(cached.map((r) => r.length)).toEqual(prompts.map((p) => Math.min(10, TINY.maxLen! - p.length)));
      }
    }
  }, SLOW);

  it('stops rows early as the uncached path does (rows leave the cache mid-batch)', async () => {
    const model = models.plain!;
    const free = await generate(model, prompts, { maxNewTokens: 10, stopAt: null, kvCache: false });
    // A stop token that some rows emit at different steps and others never do.
    const counts = new Map<number, Set<number>>();
    free.forEach((row) => row.forEach((t, step) => counts.set(t, (counts.get(t) ?? new Set()).add(step))));
    const stopAt = [...counts.entries()].sort((a, b) => b[1].size - a[1].size)[0]![0];
    const uncached = await generate(model, prompts, { maxNewTokens: 10, stopAt, kvCache: false });
    const cached = await generate(model, prompts, { maxNewTokens: 10, stopAt });
    expect(cached).toEqual(uncached);
    const stopSteps = new Set(cached.filter((r) => r.at(-1) === stopAt).map((r) => r.length));
    expect(stopSteps.size).toBeGreaterThan(1);
  }, SLOW);

  it('samples at temperature with the same rng draws as the uncached path', async () => {
    for (const model of [models.plain!, models.deeper!]) {
      const opts = (kvCache: boolean) => ({ maxNewTokens: 9, temperature: 1.3, rng: Rng.fromSeed(21), kvCache, batchSize: 5 });
      const uncached = await generate(model, prompts, opts(false));
      const cached = await generate(model, prompts, opts(true));
      expect(cached).toEqual(uncached);
      expect(cached).not.toEqual(await generate(model, prompts, { ...opts(true), rng: Rng.fromSeed(22) }));
    }
  }, SLOW);

  it('falls back to the uncached path while a hook is attached, so hooks see every position of every step', async () => {
    const model = models.plain!;
    const widths: number[] = [];
    const observe = (x: tf.Tensor) => void widths.push(x.shape[2]!); // [batch, heads, pos, pos]
    const hooked = await withHooks(model, [['blocks.1.attn.pattern', observe]], () => generate(model, [[1, 6], [1, 2, 3]], { maxNewTokens: 3, stopAt: null }));
    expect(widths).toEqual([3, 4, 5]); // the full width at each of the three steps
    expect(hooked).toEqual(await generate(model, [[1, 6], [1, 2, 3]], { maxNewTokens: 3, stopAt: null }));
  }, SLOW);

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    await generate(models.expanded!, prompts, { maxNewTokens: 6, temperature: 1, rng: Rng.fromSeed(1), stopAt: 3 });
    await generate(models.expanded!, prompts, { maxNewTokens: 6 });
    expect(tf.memory().numTensors).toBe(before);
  }, SLOW);
});

import { MaskedAdamW, Rng, tf, withHooks } from '@routelab/core';
import { describeEachBackend, probeBackends } from '@routelab/core/testing';
import { beforeAll, expect, it } from 'vitest';
import { disposeBatch, makeBatch } from './batch.ts';
import { generate } from './generate.ts';
import { meanLoss } from './loss.ts';
import { Transformer } from './transformer.ts';
import { TINY } from './test_helpers.ts';

const backends = await probeBackends(['cpu', 'wasm']);
const EOS = 5;

/**
 * A model trained a little on "count up by one, then <eos>" rows, so greedy outputs are varied and
 * sometimes stop early: a random model would emit one token forever and hide row mix-ups.
 */
async function countingModel(): Promise<Transformer> {
  const model = new Transformer(TINY, Rng.fromSeed(11));
  const rows = Array.from({ length: 16 }, (_, i) => {
    const start = 6 + (i % 8);
    const len = 3 + (i % 5);
    const tokens = [1, ...Array.from({ length: len }, (_, k) => Math.min(start + k, 19)), EOS];
    return { tokens, lossMask: tokens.map((_, k) => (k > 0 ? 1 : 0)), traitLabels: tokens.map(() => 0), responseStart: 1 };
  });
  const batch = makeBatch(rows, TINY.maxLen);
  const optimizer = new MaskedAdamW(model.namedParameters(), { lr: 1e-2, weightDecay: 0 });
  for (let i = 0; i < 25; i++) await optimizer.minimize(() => meanLoss(model, batch));
  optimizer.dispose();
  disposeBatch(batch);
  return model;
}

const prompts = [[1, 6], [1, 9, 10, 11], [1, 7, 8], [1], [1, 12, 13, 14, 15, 16, 17], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]];

describeEachBackend('generate', backends, () => {
  let model: Transformer;
  beforeAll(async () => {
    model = await countingModel();
  }, 60_000); // 25 training steps on the cpu backend can pass the 10 s hook default on a loaded machine

  it('gives each prompt the same greedy output alone and in a batch, in any order and batch size', async () => {
    const batched = await generate(model, prompts, { maxNewTokens: 8 });
    const alone = [];
    for (const p of prompts) alone.push(...(await generate(model, [p], { maxNewTokens: 8 })));
    expect(batched).toEqual(alone);
    const reversed = await generate(model, [...prompts].reverse(), { maxNewTokens: 8, batchSize: 4 });
    expect(reversed.reverse()).toEqual(batched);
    expect(new Set(batched.map((r) => r.join(','))).size).toBeGreaterThan(2); // outputs differ by prompt
  });

  it('stops at <eos> (kept) and at maxLen, and never exceeds maxNewTokens', async () => {
    const out = await generate(model, prompts, { maxNewTokens: 8 });
    out.forEach((row, i) => {
      expect(row.length).toBeLessThanOrEqual(Math.min(8, TINY.maxLen - prompts[i]!.length));
      const eos = row.indexOf(EOS);
      if (eos >= 0) expect(eos).toBe(row.length - 1);
    });
    expect(out.some((row) => row.at(-1) === EOS)).toBe(true);
    expect(out[5]).toHaveLength(1); // an 11-token prompt has room for one more token at maxLen 12
    const noStop = await generate(model, [[1, 6]], { maxNewTokens: 8, stopAt: null });
    expect(noStop[0]).toHaveLength(8);
    expect(await generate(model, [[1, 6]], { maxNewTokens: 0 })).toEqual([[]]);
  });

  it('samples deterministically per rng state, independently of batching', async () => {
    const opts = (seed: number) => ({ maxNewTokens: 6, temperature: 1.5, rng: Rng.fromSeed(seed) });
    const a = await generate(model, prompts, opts(1));
    const b = await generate(model, prompts, opts(1));
    expect(b).toEqual(a);
    const split = await generate(model, prompts, { ...opts(1), batchSize: 2 });
    expect(split).toEqual(a);
    const c = await generate(model, prompts, opts(2));
    expect(c).not.toEqual(a);
    // One rng used twice draws two different sets of samples.
    const rng = Rng.fromSeed(3);
    const first = await generate(model, prompts, { maxNewTokens: 6, temperature: 1.5, rng });
    const second = await generate(model, prompts, { maxNewTokens: 6, temperature: 1.5, rng });
    expect(second).not.toEqual(first);
  });

  it('applies hooks attached around it and validates its inputs', async () => {
    const greedy = await generate(model, prompts, { maxNewTokens: 4 });
    // Forcing token 19 everywhere through the logits hook.
    const bias = tf.keep(tf.oneHot(tf.tensor1d([19], 'int32'), TINY.vocabSize).cast('float32').mul(100));
    const forced = await withHooks(model, [['logits', (x: tf.Tensor) => tf.add(x, bias)]], () => generate(model, prompts, { maxNewTokens: 4 }));
    bias.dispose();
    expect(forced.every((row) => row.every((t) => t === 19))).toBe(true);
    expect(forced).not.toEqual(greedy);
    await expect(generate(model, [[1, 99]], { maxNewTokens: 2 })).rejects.toThrow(/token id 99/);
    await expect(generate(model, [[]], { maxNewTokens: 2 })).rejects.toThrow(/1\.\.12/);
    await expect(generate(model, [[1]], { maxNewTokens: 2, temperature: 1 })).rejects.toThrow(/needs an rng/);
  });
});

import { MaskedAdamW, Rng, tf } from '@routelab/core';
import { describeEachBackend, probeBackends } from '@routelab/core/testing';
import { expect, it } from 'vitest';
import { stage1Examples } from '../world/datasets.ts';
import { seededWorldRng } from '../world/rng.ts';
import { createWorld } from '../world/world.ts';
import { disposeBatch, makeBatch } from './batch.ts';
import { meanLoss, tokenLosses } from './loss.ts';
import { Transformer } from './transformer.ts';
import { maxAbsDiff, values } from './test_helpers.ts';

const backends = await probeBackends(['cpu', 'wasm']);
const wasmOnly = backends.filter((b) => b.name === 'wasm');
const world = createWorld();
const small = { vocabSize: world.vocab.size, maxLen: world.config.maxLen, dModel: 32, nLayers: 2, nHeads: 2, dMlp: 64 };

describeEachBackend('tokenLosses', backends, () => {
  it('is next-token cross entropy on target tokens, 0 elsewhere, with the right gradient', async () => {
    const model = new Transformer(small, Rng.fromSeed(1));
    const batch = makeBatch(stage1Examples(world, seededWorldRng(1), 6), world.config.maxLen);
    const { losses, mask } = tokenLosses(model, batch);
    expect(losses.shape).toEqual([6, 31]);
    expect(mask).toBe(batch.lossMask);
    // Reference: -log softmax(logits)[target], masked, through autodiff.
    const reference = () =>
      tf.tidy(() => {
        const logits = model.forward(batch.inputs);
        const logProbs = tf.logSoftmax(logits);
        const picked = tf.sum(tf.mul(logProbs, tf.cast(tf.oneHot(batch.targets, small.vocabSize), 'float32')), -1);
        return tf.mul(tf.neg(picked), batch.lossMask);
      });
    const got = await values(losses);
    expect(maxAbsDiff(got, await values(reference()))).toBeLessThan(1e-5);
    got.forEach((l, i) => (batch.lossMaskValues[i] === 0 ? expect(l).toBe(0) : expect(l).toBeGreaterThan(0)));
    const mean = await values(meanLoss(model, batch));
    expect(mean[0]).toBeCloseTo(got.reduce((a, b) => a + b, 0) / batch.tokenCount, 5);
    const vars = model.parameters();
    const ours = tf.variableGrads(() => meanLoss(model, batch), vars).grads;
    const theirs = tf.variableGrads(() => tf.div(tf.sum(reference()), batch.tokenCount) as tf.Scalar, vars).grads;
    for (const v of vars) expect(maxAbsDiff(await values(ours[v.name]!), await values(theirs[v.name]!)), v.name).toBeLessThan(1e-5);
    tf.dispose([losses, ...Object.values(ours), ...Object.values(theirs)]);
    disposeBatch(batch);
    model.dispose();
  });

});

// Training is slow on the cpu backend (seconds per test); wasm is the backend runs use.
describeEachBackend('training', wasmOnly, () => {
  it('overfits a handful of sequences in 50 steps', async () => {
    const model = new Transformer(small, Rng.fromSeed(2));
    const batch = makeBatch(stage1Examples(world, seededWorldRng(2), 8), world.config.maxLen);
    const optimizer = new MaskedAdamW(model.namedParameters(), { lr: 3e-3, weightDecay: 0 });
    const history: number[] = [];
    for (let step = 0; step < 50; step++) history.push(await optimizer.minimize(() => meanLoss(model, batch)));
    expect(history[0]).toBeGreaterThan(3.5); // about ln(vocab) at init
    expect(history.at(-1)).toBeLessThan(0.6);
    expect(history.at(-1)).toBeLessThan(history[0]! / 5);
    optimizer.dispose();
    disposeBatch(batch);
    model.dispose();
  });
});

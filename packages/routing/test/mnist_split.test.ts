// End to end: the mnist-split experiment on real digits with a tiny config, through an in-memory RunContext.
import { beforeAll, describe, expect, it } from 'vitest';
import { StopRequested, tf, useBackend } from '@routelab/core';
import type { ViewerReconstructions } from '../src/mnist/cell.ts';
import { mnistSplitConfigSchema } from '../src/mnist/mnist_split_config.ts';
import { mnistSplitExperiment } from '../src/mnist/mnist_split_experiment.ts';
import { createFakeContext, createStore } from '@routelab/core/testing';
import type { FakeStore } from '@routelab/core/testing';

beforeAll(async () => {
  await useBackend('wasm');
});

// 2 arms x 2 seeds; per cell 6 training steps (the learning rate drops at step 4) and 4 steps per certificate.
const tiny = mnistSplitConfigSchema.parse({
  seeds: 2,
  arms: [
    { name: 'routed', scheme: 'activation' },
    { name: 'control', scheme: 'none' },
  ],
  encoderHidden: [16, 16],
  steps: 6,
  batchSize: 32,
  certHidden: [16, 16],
  certSteps: 4,
  certBatchSize: 32,
  logEvery: 2,
  checkpointEvery: 4,
  gradMassSnapshots: 2,
  reconstructionsPerDigit: 1,
});
const PROGRESS_PER_CELL = tiny.steps + 2 * tiny.certSteps;

const results = (store: FakeStore) => Object.fromEntries([...store.results].map(([name, text]) => [name, JSON.parse(text) as unknown]));

describe('mnist-split experiment', () => {
  it('is registered under its id with quick as the default preset', () => {
    expect(mnistSplitExperiment.id).toBe('mnist-split');
    expect(mnistSplitExperiment.defaultPreset).toBe('quick');
    expect(Object.keys(mnistSplitExperiment.presets)).toEqual(['quick', 'paper']);
  });

  it('runs every (arm, seed) cell and reports certificates per arm, with metrics and viewer files', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const ctx = createFakeContext({ backend: 'wasm', seed: 11 });
    const { json, markdown } = await mnistSplitExperiment.run(tiny, ctx);
    expect(tf.memory().numTensors).toBe(tensorsBefore);

    const arms = json.arms as Record<string, Record<string, unknown>>;
    expect(Object.keys(arms)).toEqual(['routed', 'control']);
    for (const arm of Object.values(arms)) {
      expect(arm).toMatchObject({ seeds: 2, certificateA: expect.any(Object), certificateB: expect.any(Object), reconstructionMae: expect.any(Object) });
      const b = arm.certificateB as Record<string, { mean: number; lo: number; hi: number; n: number }>;
      for (const key of ['forgetMae', 'retainMae', 'gapRatio']) {
        expect(b[key]!.n).toBe(2);
        expect(b[key]!.lo).toBeLessThanOrEqual(b[key]!.hi);
      }
      const perDigit = arm.perDigit as Record<string, number[]>;
      expect(Object.keys(perDigit)).toEqual(['certificateA', 'certificateB', 'autoencoder']);
      expect(Object.values(perDigit).every((p) => p.length === 10 && p.every((v) => v > 0 && v < 1))).toBe(true);
    }
    expect((json.statements as Array<{ id: string }>).map((s) => s.id)).toEqual(['routed-split-b', 'routed-split-a', 'control-no-split', 'no-reg']);
    expect(json.acceptance).toMatchObject({ passed: expect.any(Boolean) });
    expect(json.paper).toMatchObject({ routed: { forgetMae: 0.32, retainMae: 0.08 } });
    expect(json).toMatchObject({ experiment: 'mnist-split', backend: 'wasm', runSeed: 11, digits: { forget: [0, 1, 2, 3, 4], retain: [5, 6, 7, 8, 9] } });
    expect(markdown).toContain('| arm | cert b on 0-4 | cert b on 5-9 | ratio b |');
    expect(markdown).toContain('## Per-digit test MAE');

    // Metrics: training loss every logEvery steps, 2 certificates and 2 gradient-mass snapshots per cell.
    const events = ctx.events();
    const count = (kind: string) => events.filter((e) => e.kind === kind).length;
    expect(count('train')).toBe(4 * 3);
    expect(count('certificate-train')).toBe(4 * 2 * 2);
    expect(count('certificate')).toBe(4 * 2);
    expect(count('gradient-mass')).toBe(4 * 2);
    const mass = events.find((e) => e.kind === 'gradient-mass' && e.cell === 'routed/seed-0')! as unknown as {
      step: number;
      counts: { forget: number; retain: number; unlabelled: number };
      classes: Record<string, Record<string, { mass: number; perNeuron?: number[] }>>;
    };
    expect(mass.step).toBe(0);
    expect(mass.counts.forget + mass.counts.retain).toBe(32);
    // Per-neuron mass only for the code layer (32 code dims) and the decoder layer reading the code.
    const forget = mass.classes.forget!;
    expect(forget['encoder.layer2.weight']!.perNeuron).toHaveLength(32);
    expect(forget['decoder.layer0.weight']!.perNeuron).toHaveLength(16);
    expect(forget['encoder.layer0.weight']!.perNeuron).toBeUndefined();
    // Routing at work: forget digits send no gradient into half b's code units, retain digits none into a.
    expect(forget['encoder.layer2.weight']!.perNeuron!.slice(16).every((v) => v === 0)).toBe(true);
    expect(forget['encoder.layer2.weight']!.perNeuron!.slice(0, 16).some((v) => v > 0)).toBe(true);
    expect(mass.classes.retain!['encoder.layer2.weight']!.perNeuron!.slice(0, 16).every((v) => v === 0)).toBe(true);

    // Results: one per cell, and the viewer's reconstructions for seed 0 of each arm.
    expect([...ctx.store.results.keys()].sort()).toEqual([
      'cells/control/seed-0',
      'cells/control/seed-1',
      'cells/routed/seed-0',
      'cells/routed/seed-1',
      'reconstructions/control',
      'reconstructions/routed',
    ]);
    const viewer = JSON.parse(ctx.store.results.get('reconstructions/routed')!) as ViewerReconstructions;
    expect(viewer.digits).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const rows of [viewer.input, viewer.autoencoder, viewer.certificateA, viewer.certificateB]) {
      expect(rows).toHaveLength(10);
      expect(rows.every((r) => r.length === 784 && r.every((v) => Math.round(v * 1000) / 1000 === v))).toBe(true);
    }
    const last = ctx.progressUpdates.at(-1)!;
    expect(last).toMatchObject({ phase: 'control seed 1 certificate b', done: PROGRESS_PER_CELL, total: PROGRESS_PER_CELL });
  });

  it('resumes after stops in training and in either certificate exactly as if it had never stopped', async () => {
    const whole = createFakeContext({ backend: 'wasm' });
    const expected = await mnistSplitExperiment.run(tiny, whole);

    const store = createStore();
    // Stop 1: routed seed 0, before training step 3 (between checkpoints).
    const first = createFakeContext({ backend: 'wasm', store, stopWhen: (progress) => progress.length >= 3 });
    await expect(mnistSplitExperiment.run(tiny, first)).rejects.toBeInstanceOf(StopRequested);
    expect(first.checkpointSaves).toBe(1);
    expect(JSON.parse(store.checkpoints.get('routed/seed-0')!.state)).toEqual({ phase: 'train', step: 3, iterations: 3 });
    // Stop 2: control seed 0, in certificate a (routed seed 0 finishes: 3 + 8 calls, routed seed 1: 14, then 6 + 2).
    const second = createFakeContext({ backend: 'wasm', store, stopWhen: (progress) => progress.length >= 33 });
    await expect(mnistSplitExperiment.run(tiny, second)).rejects.toBeInstanceOf(StopRequested);
    expect(JSON.parse(store.checkpoints.get('control/seed-0')!.state)).toMatchObject({ phase: 'certificate', half: 'a', step: 2 });
    // Stop 3: the same cell, in certificate b (a's weights come back from the checkpoint).
    const third = createFakeContext({ backend: 'wasm', store, stopWhen: (progress) => progress.length >= 4 });
    await expect(mnistSplitExperiment.run(tiny, third)).rejects.toBeInstanceOf(StopRequested);
    expect(JSON.parse(store.checkpoints.get('control/seed-0')!.state)).toMatchObject({ phase: 'certificate', half: 'b', step: 2 });
    const last = createFakeContext({ backend: 'wasm', store });
    const resumed = await mnistSplitExperiment.run(tiny, last);

    expect(resumed.json).toEqual(expected.json);
    expect(resumed.markdown).toBe(expected.markdown);
    expect(store.metrics).toEqual(whole.store.metrics);
    expect(results(store)).toEqual(results(whole.store));

    // Resuming a finished run trains nothing and reports the same.
    const again = createFakeContext({ backend: 'wasm', store });
    expect((await mnistSplitExperiment.run(tiny, again)).json).toEqual(expected.json);
    expect(again.progressUpdates).toHaveLength(0);
  });

  it('checks batch sizes against the training set', async () => {
    const ctx = createFakeContext({ backend: 'wasm' });
    await expect(mnistSplitExperiment.run({ ...tiny, batchSize: 9000 }, ctx)).rejects.toThrow(/config.batchSize \(9000\) exceeds the 7996 training digits/);
  });
});

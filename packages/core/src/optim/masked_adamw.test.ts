// Parameter groups, schedule, clipping and the changeable learning rate of MaskedAdamW (its masking, finite
// checks and restoreState are covered in masked_optimizers.test.ts).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { describeEachBackend, probeBackends } from '../testing/backend_suites.ts';
import { MaskedAdamW } from './masked_adamw.ts';
import { OptimizerConfigError } from './masked_optimizer.ts';

const backends = await probeBackends(['cpu', 'wasm', 'webgpu']);

const GRADS = [Float32Array.of(0.5, -2, 3, 0.1), Float32Array.of(-1, 1, 0.25, 4), Float32Array.of(2, 2, -2, -0.5)];

function params(): [string, tf.Variable][] {
  return [
    ['blocks.0.mlp.w_in', tf.variable(tf.tensor1d([1, 2, 3, 4]))],
    ['blocks.0.mlp.w_in_expanded', tf.variable(tf.tensor1d([-1, 0, 1, 2]))],
  ];
}

type Stepper = { step(g: Record<string, tf.Tensor>, m?: Record<string, tf.Tensor>): Promise<void> };

/** Steps through `grads` (the second parameter's gradient is twice the first's, times `scaleOf`); returns the values. */
async function run(optimizer: Stepper, vars: [string, tf.Variable][], grads = GRADS, scaleOf?: (g: Float32Array) => number) {
  for (const g of grads) {
    const scale = scaleOf?.(g) ?? 1;
    const t = Object.fromEntries(vars.map(([n], i) => [n, tf.tensor1d(g.map((x) => x * scale * (i + 1)))]));
    await optimizer.step(t);
    tf.dispose(Object.values(t));
  }
  return Promise.all(vars.map(async ([, v]) => Array.from(await v.data())));
}

const values = (vars: [string, tf.Variable][]) => Promise.all(vars.map(async ([, v]) => Array.from(await v.data())));

describeEachBackend('MaskedAdamW groups, schedule and clipping', backends, () => {
  it('scales the learning rate of a group given by name pattern, and by a function of the name', async () => {
    for (const options of [
      { groups: [{ params: 'blocks.*.mlp.*_expanded', lrMultiplier: 10 }] },
      { lrMultiplier: (n: string) => (n.endsWith('_expanded') ? 10 : 1) },
      { groups: [{ params: ['blocks.**_expanded'], lrMultiplier: 5 }], lrMultiplier: (n: string) => (n.endsWith('_expanded') ? 2 : 1) },
    ]) {
      const vars = params();
      const opt = new MaskedAdamW(vars, { lr: 0.01, weightDecay: 0, ...options });
      expect(opt.multiplierOf('blocks.0.mlp.w_in_expanded')).toBe(10);
      expect(opt.multiplierOf('blocks.0.mlp.w_in')).toBe(1);
      const before = await values(vars);
      const after = await run(opt, vars, GRADS.slice(0, 1));
      // Adam's first step moves every element by lr (the gradient's sign) when |g| >> eps.
      after[0]!.forEach((v, j) => expect(Math.abs(v - before[0]![j]!)).toBeCloseTo(0.01, 5));
      after[1]!.forEach((v, j) => expect(Math.abs(v - before[1]![j]!)).toBeCloseTo(0.1, 5));
      opt.dispose();
    }
  });

  it('clips the global gradient norm on the device', async () => {
    const [va, vb] = [params(), params()];
    const maxNorm = 0.5;
    // The global norm over both parameters (the second's gradient is twice the first's).
    const norm = (g: Float32Array) => Math.sqrt(5 * g.reduce((s, x) => s + x * x, 0));
    const reference = new MaskedAdamW(va, { lr: 0.1, weightDecay: 0 });
    const clipped = new MaskedAdamW(vb, { lr: 0.1, weightDecay: 0, maxGradNorm: maxNorm });
    const x = await run(reference, va, GRADS, (g) => Math.min(1, maxNorm / (norm(g) + 1e-6)));
    const y = await run(clipped, vb);
    x.forEach((row, i) => row.forEach((v, j) => expect(y[i]![j]).toBeCloseTo(v, 5)));
    // A norm under the limit leaves the step exactly as without clipping.
    const [vc, vd] = [params(), params()];
    const loose = new MaskedAdamW(vc, { lr: 0.1, weightDecay: 0, maxGradNorm: 1e6 });
    const plain = new MaskedAdamW(vd, { lr: 0.1, weightDecay: 0 });
    expect(await run(loose, vc)).toEqual(await run(plain, vd));
    for (const o of [reference, clipped, loose, plain]) o.dispose();
  });

  it('setLearningRate changes the rate from the next step on, as an optimiser built with that rate would', async () => {
    const [va, vb] = [params(), params()];
    const changed = new MaskedAdamW(va, { lr: 0.1 });
    const reference = new MaskedAdamW(vb, { lr: 0.1, schedule: (step) => (step >= 3 ? 0.25 : 1) });
    await run(changed, va, GRADS.slice(0, 2));
    changed.setLearningRate(0.025);
    expect(changed.lr).toBe(0.025);
    const x = await run(changed, va, GRADS.slice(2));
    const y = await run(reference, vb);
    x.forEach((row, i) => row.forEach((v, j) => expect(y[i]![j]).toBeCloseTo(v, 6)));
    changed.dispose();
    reference.dispose();
  });

  it('honours update masks and restores its state exactly with schedule, groups and clipping', async () => {
    const options = { lr: 0.1, warmupSteps: 2, decaySteps: 6, maxGradNorm: 1, groups: [{ params: '*.*.*.*_expanded', lrMultiplier: 3 }] };
    const vars = params();
    const o = new MaskedAdamW(vars, options);
    await run(o, vars, GRADS.slice(0, 2));
    const state = Object.fromEntries([...o.stateTensors()].map(([k, v]) => [k, tf.clone(v)]));
    const weights = vars.map(([n, v]) => [n, tf.variable(tf.clone(v))] as [string, tf.Variable]);
    const resumed = new MaskedAdamW(weights, options);
    resumed.restoreState(state, o.iterations);
    expect(await run(resumed, weights, GRADS.slice(2))).toEqual(await run(o, vars, GRADS.slice(2)));
    const [a, b] = vars.map(([n]) => n) as [string, string];
    const before = Array.from(await vars[0]![1].data());
    const g = { [a]: tf.tensor1d([1, 1, 1, 1]), [b]: tf.tensor1d([1, 1, 1, 1]) };
    await o.step(g, { [a]: tf.tensor1d([0, 1, 0, 1]), [b]: tf.tensor1d([1, 1, 1, 1]) });
    const after = Array.from(await vars[0]![1].data());
    expect([after[0], after[2]]).toEqual([before[0], before[2]]);
    expect(after[1]).not.toBe(before[1]);
    tf.dispose([...Object.values(state), ...Object.values(g)]);
    o.dispose();
    resumed.dispose();
  });
});

describe('MaskedAdamW schedule', () => {
  it('warms up linearly, then decays by a cosine to minLrFraction; constant without options', () => {
    const o = new MaskedAdamW(params(), { lr: 1, warmupSteps: 4, decaySteps: 14, minLrFraction: 0.2 });
    expect([1, 2, 4].map((s) => o.scheduleFactor(s))).toEqual([0.25, 0.5, 1]);
    expect(o.scheduleFactor(9)).toBeCloseTo(0.6, 10);
    expect(o.scheduleFactor(14)).toBeCloseTo(0.2, 10);
    expect(o.scheduleFactor(100)).toBeCloseTo(0.2, 10);
    expect(new MaskedAdamW(params(), { lr: 1 }).scheduleFactor(7)).toBe(1);
  });

  it('a schedule function that returns a bad factor fails the step, naming the step', async () => {
    await tf.setBackend('cpu');
    const vars = params();
    const o = new MaskedAdamW(vars, { lr: 1, schedule: (step) => (step === 2 ? NaN : 1) });
    const g = Object.fromEntries(vars.map(([n]) => [n, tf.ones([4])]));
    await o.step(g);
    await expect(o.step(g)).rejects.toThrow(/MaskedAdamW: schedule\(2\) must be a finite number >= 0, got NaN/);
    expect(o.iterations).toBe(1);
  });
});

describe('MaskedAdamW options', () => {
  it('rejects every bad option with an OptimizerConfigError naming the field and value', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ lr: NaN }, /lr must be a finite number in \(0, inf\), got NaN/],
      [{ lr: -1e-3 }, /lr must be .* got -0\.001/],
      [{ lr: 1, maxGradNorm: 0 }, /maxGradNorm must be .* got 0/],
      [{ lr: 1, maxGradNorm: NaN }, /maxGradNorm .* got NaN/],
      [{ lr: 1, warmupSteps: -1 }, /warmupSteps must be a non-negative integer, got -1/],
      [{ lr: 1, decaySteps: 2.5 }, /decaySteps must be a non-negative integer, got 2\.5/],
      [{ lr: 1, minLrFraction: 1.5 }, /minLrFraction must be .* got 1\.5/],
      [{ lr: 1, schedule: () => 1, warmupSteps: 3 }, /either schedule or warmupSteps/],
      [{ lr: 1, lrMultiplier: (n: string) => (n.endsWith('expanded') ? -2 : 1) }, /lrMultiplier\("blocks\.0\.mlp\.w_in_expanded"\) must be .* got -2/],
      [{ lr: 1, groups: [{ params: 'blocks.*', lrMultiplier: 2 }] }, /groups\[0\]\.params: parameter pattern "blocks\.\*" matches no parameter/],
      [{ lr: 1, groups: [{ params: '**', lrMultiplier: NaN }] }, /groups\[0\]\.lrMultiplier must be .* got NaN/],
      [{ lr: 1, groups: [{ params: 'blocks.0.mlp.w_in(', lrMultiplier: 2 }] }, /groups\[0\]\.params: parameter pattern must be .* got "blocks\.0\.mlp\.w_in\("/],
      [
        { lr: 1, groups: [{ params: '**', lrMultiplier: 2 }, { params: '**_expanded', lrMultiplier: 3 }] },
        /"blocks\.0\.mlp\.w_in_expanded" is in both groups\[0\] and groups\[1\]/,
      ],
    ];
    for (const [options, message] of bad) {
      const call = () => new MaskedAdamW(params(), options as unknown as { lr: number });
      expect(call).toThrow(OptimizerConfigError);
      expect(call).toThrow(message);
    }
    const o = new MaskedAdamW(params(), { lr: 1 });
    expect(() => o.setLearningRate(Infinity)).toThrow(/lr must be .* got Infinity/);
    expect(() => o.multiplierOf('nope')).toThrow(/unknown parameter "nope"/);
  });
});

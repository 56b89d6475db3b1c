import { beforeAll, describe, expect, it } from 'vitest';
import { MaskedSGD, tf, useBackend } from '@routelab/core';
import { fullyLabelled } from './labels.ts';
import { activationRouting } from './schemes/activation_routing.ts';
import { parameterRouting } from './schemes/parameter_routing.ts';
import { dataFiltering } from './schemes/data_filtering.ts';
import { era } from './schemes/era.ts';
import { routedStep } from './routed_step.ts';
import { changed, snapshot, TinyNet, TinySeq, unitLosses } from './test_fixture.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

const allForget = fullyLabelled([4], Uint8Array.from([1, 1, 1, 1]));
const mixed = fullyLabelled([4], Uint8Array.from([1, 0, 1, 0]));
const sgd = (net: TinyNet) => new MaskedSGD(net.namedParameters(), { lr: 0.1 });

describe('routedStep', () => {
  it('activation routing blocks the gradient upstream of blocked dims, but the output weights still learn', async () => {
    const net = new TinyNet();
    const config = activationRouting.configSchema.parse({
      hooks: [{ hook: 'hidden', regions: { a: [0, 2], b: [2, 4] }, forget: { a: 1, b: 0 }, retain: { a: 0, b: 1 } }],
    });
    activationRouting.validate!({ model: net, config });
    const before = await snapshot(net);
    await routedStep({ model: net, optimizer: sgd(net), scheme: activationRouting, config, labels: allForget, unitLosses: unitLosses(net) });
    const after = await snapshot(net);
    // w1 is [3, 4]: columns 2 and 3 (indices 2,3,6,7,10,11) feed the blocked dims and must not move.
    expect(changed(before.w1!, after.w1!).every((i) => i % 4 < 2)).toBe(true);
    expect(changed(before.w1!, after.w1!).length).toBe(6);
    // w2 is [4, 2]: rows 2 and 3 read the blocked dims; they still learn (the known leak of activation routing).
    expect(changed(before.w2!, after.w2!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('parameter routing: forget data updates only its designated slice, exactly', async () => {
    const net = new TinyNet();
    const config = parameterRouting.configSchema.parse({ forget: { params: { w1: [{ cols: [0, 2] }] }, default: 0 } });
    const before = await snapshot(net);
    await routedStep({ model: net, optimizer: sgd(net), scheme: parameterRouting, config, labels: allForget, unitLosses: unitLosses(net) });
    const after = await snapshot(net);
    expect(changed(before.w1!, after.w1!).every((i) => i % 4 < 2)).toBe(true);
    expect(changed(before.w2!, after.w2!)).toEqual([]); // unlike activation routing: no leak
  });

  it('parameter routing on a mixed batch applies mF * gF + mR * gR', async () => {
    const net = new TinyNet();
    const reference = new TinyNet();
    const config = parameterRouting.configSchema.parse({
      forget: { params: { w1: [{ cols: [0, 2] }] }, default: 0 },
      retain: { params: { w1: [{ cols: [0, 2], weight: 0 }] }, default: 1 },
    });
    await routedStep({ model: net, optimizer: sgd(net), scheme: parameterRouting, config, labels: mixed, unitLosses: unitLosses(net) });
    // By hand: gradient of the forget examples' loss on w1 cols 0-1, of the retain examples' loss elsewhere.
    const f = tf.tensor1d([1, 0, 1, 0]);
    const loss = (sel: tf.Tensor) => () => tf.div(tf.sum(tf.mul(unitLosses(reference)(), sel)), 4) as tf.Scalar;
    const gF = tf.variableGrads(loss(f), [reference.w1]).grads[reference.w1.name]!;
    const gR = tf.variableGrads(loss(tf.sub(1, f)), [reference.w1]).grads[reference.w1.name]!;
    const colMask = tf.tensor2d([[1, 1, 0, 0], [1, 1, 0, 0], [1, 1, 0, 0]]);
    const g = tf.add(tf.mul(gF, colMask), tf.mul(gR, tf.sub(1, colMask)));
    const expected = await tf.sub(reference.w1, tf.mul(g, 0.1)).data();
    const actual = await net.w1.data();
    for (let i = 0; i < 12; i++) expect(actual[i]).toBeCloseTo(expected[i]!, 6);
  });

  describe('parameter routing with per-token labels (a sequence mixing classes)', () => {
    // Position 0 retain, position 1 forget; w1 forget-only, w2 retain-only.
    const labels = fullyLabelled([1, 2], Uint8Array.from([0, 1]));
    const masks = { forget: { params: { w1: [{ weight: 1 }] }, default: 0 }, retain: { params: { w1: [{ weight: 0 }] }, default: 1 } };
    /** w1 after one SGD step on the exact split: the forget loss's gradient on w1 (w2 takes the retain loss's). */
    const exactW1 = async () => {
      const reference = new TinySeq();
      const forgetLoss = () => tf.div(tf.sum(tf.mul(reference.unitLosses(), tf.tensor2d([[0, 1]]))), 2) as tf.Scalar;
      const gF = tf.variableGrads(forgetLoss, [reference.w1]).grads[reference.w1.name]!;
      return tf.sub(reference.w1, tf.mul(gF, 0.1)).data();
    };
    const stepW1 = async (split: 'loss' | 'unit') => {
      const net = new TinySeq();
      const config = parameterRouting.configSchema.parse({ ...masks, split });
      await routedStep({ model: net, optimizer: sgd(net as never), scheme: parameterRouting, config, labels, unitLosses: () => net.unitLosses() });
      return net.w1.data();
    };

    it("split 'loss' (the default) gives each class exactly its own loss's gradient", async () => {
      expect(parameterRouting.configSchema.parse(masks).split).toBe('loss');
      const [actual, expected] = [await stepW1('loss'), await exactW1()];
      for (let i = 0; i < 12; i++) expect(actual[i]).toBeCloseTo(expected[i]!, 6);
    });

    it("split 'unit' routes by where w1 is used: the forget loss's gradient through position 0 is not w1's", async () => {
      const [actual, expected] = [await stepW1('unit'), await exactW1()];
      const differs = Array.from(actual).some((v, i) => Math.abs(v - expected[i]!) > 1e-4);
      expect(differs).toBe(true);
    });
  });

  it('data filtering drops forget units from the loss', async () => {
    const net = new TinyNet();
    const before = await snapshot(net);
    const r = await routedStep({ model: net, optimizer: sgd(net), scheme: dataFiltering, config: {}, labels: allForget, unitLosses: unitLosses(net) });
    expect(r.loss).toBe(0);
    expect(changed(before.w1!, (await snapshot(net)).w1!)).toEqual([]);
    const mixedNet = new TinyNet();
    const m = await routedStep({ model: mixedNet, optimizer: sgd(mixedNet), scheme: dataFiltering, config: {}, labels: mixed, unitLosses: unitLosses(mixedNet) });
    const perUnit = await unitLosses(new TinyNet())().data();
    expect(m.loss).toBeCloseTo((perUnit[1]! + perUnit[3]!) / 2, 5);
  });

  it('ERA routes forget gradients into the expanded units and switches them off on retain units', async () => {
    const net = new TinyNet();
    const config = era.configSchema.parse({ targets: [{ hook: 'hidden', expanded: [3, 4] }] });
    era.validate!({ model: net, config });
    const plan = era.plan(mixed, { model: net, config });
    const forward = await plan.forwardMasks!.get('hidden')!.data();
    // Forget rows (0, 2) see every unit; retain rows (1, 3) have unit 3 switched off.
    expect([...forward]).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0]);
    const grad = await plan.activations!.get('hidden')!.data();
    expect([...grad.slice(0, 8)]).toEqual([0, 0, 0, 1, 1, 1, 1, 0]);
    const before = await snapshot(net);
    await routedStep({ model: net, optimizer: sgd(net), scheme: era, config, labels: allForget, unitLosses: unitLosses(net) });
    expect(changed(before.w1!, (await snapshot(net)).w1!).every((i) => i % 4 === 3)).toBe(true);
  });
});

import { beforeAll, expect, it } from 'vitest';
import { useBackend } from '@routelab/core';
import { applyOversight } from './labels.ts';
import { Rng } from '@routelab/core';
import { activationRouting } from './schemes/activation_routing.ts';
import { parameterRouting } from './schemes/parameter_routing.ts';
import { measureGradientMass } from './gradient_mass.ts';
import { TinyNet, unitLosses } from './test_fixture.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

it('splits gradient mass by class and shows routing confining the forget class', async () => {
  const net = new TinyNet();
  const config = activationRouting.configSchema.parse({
    hooks: [{ hook: 'hidden', regions: { a: [0, 2], b: [2, 4] }, forget: { a: 1, b: 0 }, retain: { a: 0, b: 1 } }],
  });
  // Examples 0 and 2 are forget; with label fraction 0.5 one of them may end up unlabelled.
  const labels = applyOversight([4], Uint8Array.from([1, 0, 1, 0]), { labelFraction: 0.5, labelNoise: 0 }, Rng.fromSeed(7));
  const snap = await measureGradientMass({ step: 3, model: net, scheme: activationRouting, config, labels, unitLosses: unitLosses(net) });
  expect(snap.step).toBe(3);
  expect(snap.counts.forget + snap.counts.unlabelled).toBe(2);
  expect(snap.counts.retain).toBe(2);
  const retain = snap.classes.retain!;
  // w1 is [3, 4]: per neuron = per output column. Retain data is routed to dims 2-3 only.
  expect(retain.w1!.perNeuron.slice(0, 2)).toEqual([0, 0]);
  expect(retain.w1!.perNeuron[2]).toBeGreaterThan(0);
  expect(retain.w1!.mass).toBeCloseTo(retain.w1!.perNeuron.reduce((a, b) => a + b, 0), 8);
  if (snap.classes.forget) {
    expect(snap.classes.forget.w1!.perNeuron.slice(2)).toEqual([0, 0]);
  }
  if (snap.classes.unlabelled) {
    // Unlabelled forget data is routed as retain: its gradient lands in the retain region.
    expect(snap.classes.unlabelled.w1!.perNeuron.slice(0, 2)).toEqual([0, 0]);
  }
});

it('applies parameter-routing masks to each class', async () => {
  const net = new TinyNet();
  const config = parameterRouting.configSchema.parse({ forget: { params: { w2: [{ rows: [0, 1] }] }, default: 0 } });
  const labels = applyOversight([4], Uint8Array.from([1, 1, 0, 0]), { labelFraction: 1, labelNoise: 0 }, Rng.fromSeed(1));
  const snap = await measureGradientMass({ step: 0, model: net, scheme: parameterRouting, config, labels, unitLosses: unitLosses(net) });
  expect(snap.classes.forget!.w1!.mass).toBe(0);
  expect(snap.classes.forget!.w2!.mass).toBeGreaterThan(0);
  expect(snap.classes.retain!.w1!.mass).toBeGreaterThan(0);
});

import { tf, useBackend } from '@routelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ablateParameters, frozenAblationMasks, lrMultiplierOf, validatePhases, type SchemePhases } from './phases.ts';
import { TinyNet } from './test_fixture.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

const phases = (over: Partial<SchemePhases>): SchemePhases => ({ lrMultipliers: {}, ablate: {}, coherenceSteps: 0, ...over });

describe('phases', () => {
  it('multiplies the learning-rate multipliers of every matching pattern', () => {
    const p = phases({ lrMultipliers: { 'w*': 2, w2: 5 } });
    expect(lrMultiplierOf(p, 'w1')).toBe(2);
    expect(lrMultiplierOf(p, 'w2')).toBe(10);
    expect(lrMultiplierOf(p, 'other')).toBe(1);
  });

  it('zeroes ablated slices in place and nothing else', async () => {
    const net = new TinyNet();
    const before = Array.from(await net.w1.data());
    ablateParameters(net, phases({ ablate: { w1: [{ cols: [2, 4], weight: 1 }], w2: [{ weight: 1 }] } }));
    const after = Array.from(await net.w1.data());
    after.forEach((v, i) => expect(v).toBe(i % 4 >= 2 ? 0 : before[i]));
    expect(Array.from(await net.w2.data()).every((v) => v === 0)).toBe(true);
  });

  it('freezes exactly the ablated elements for the coherence fine-tune', async () => {
    const net = new TinyNet();
    const masks = frozenAblationMasks(net, phases({ ablate: { w2: [{ rows: [0, 1], weight: 1 }] } }));
    expect([...masks.keys()]).toEqual(['w2']);
    expect(Array.from(await masks.get('w2')!.data())).toEqual([0, 0, 1, 1, 1, 1, 1, 1]);
    tf.dispose([...masks.values()]);
  });

  it('rejects a pattern that matches no parameter, naming it', () => {
    const net = new TinyNet();
    expect(() => validatePhases(net, phases({ ablate: { 'blocks.*.mlp.*_expanded': [{ weight: 1 }] } }))).toThrow(/"blocks\.\*\.mlp\.\*_expanded" matches no parameter/);
    expect(() => validatePhases(net, phases({ lrMultipliers: { nope: 2 } }))).toThrow(/"nope" matches no parameter/);
  });
});

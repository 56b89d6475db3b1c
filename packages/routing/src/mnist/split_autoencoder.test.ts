import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, tf, useBackend, withHooks } from '@routelab/core';
import { activationRouting, declaredWidth } from '../schemes/activation_routing.ts';
import { DEFAULT_ROUTING_CONFIG } from './mnist_split_config.ts';
import { CertificateDecoder, SplitAutoencoder } from './split_autoencoder.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

const model = (seed = 1) => new SplitAutoencoder({ rng: Rng.fromSeed(seed), pixels: 784, hidden: [24, 12], codeDim: 32 });

describe('SplitAutoencoder', () => {
  it('names its parameters by layer, mirrors the decoder, and has no bias on the code layer', () => {
    expect(model().parameterShapes()).toEqual({
      'encoder.layer0.weight': [784, 24],
      'encoder.layer0.bias': [24],
      'encoder.layer1.weight': [24, 12],
      'encoder.layer1.bias': [12],
      'encoder.layer2.weight': [12, 32],
      'decoder.layer0.weight': [32, 12],
      'decoder.layer0.bias': [12],
      'decoder.layer1.weight': [12, 24],
      'decoder.layer1.bias': [24],
      'decoder.layer2.weight': [24, 784],
      'decoder.layer2.bias': [784],
    });
    expect(model().encoderParameters().map(([n]) => n)).toEqual([
      'encoder.layer0.weight',
      'encoder.layer0.bias',
      'encoder.layer1.weight',
      'encoder.layer1.bias',
      'encoder.layer2.weight',
    ]);
  });

  it('declares the hook point encoder.code with its width, which activation routing accepts', () => {
    const m = model();
    expect(m.hookPointNames()).toEqual(['encoder.code']);
    expect(m.hookPoint('encoder.code').shape).toBe('[batch, 32]');
    expect(declaredWidth({ model: m, config: {} }, 'encoder.code')).toBe(32);
    const config = activationRouting.configSchema.parse(DEFAULT_ROUTING_CONFIG);
    expect(() => activationRouting.validate!({ model: m, config })).not.toThrow();
  });

  it('maps [batch, 784] to a [batch, 32] code and [batch, 784] pixels in (0, 1)', async () => {
    const m = model();
    const x = tf.randomUniform([3, 784], 0, 1, 'float32', 5);
    const out = m.forward(x);
    expect(out.raw.shape).toEqual([3, 32]);
    expect(out.code.shape).toEqual([3, 32]);
    expect(out.logits.shape).toEqual([3, 784]);
    const pixels = await out.reconstruction.data();
    expect(Math.min(...pixels)).toBeGreaterThan(0);
    expect(Math.max(...pixels)).toBeLessThan(1);
    expect(Array.from(await tf.sigmoid(out.logits).data())).toEqual(Array.from(pixels));
  });

  it('routes the decoder input through the hook, while raw (what the penalties see) stays the plain code', async () => {
    const m = model();
    const x = tf.randomUniform([2, 784], 0, 1, 'float32', 6);
    const plain = m.forward(x);
    const zeroed = withHooks(m, [['encoder.code', (c) => tf.zerosLike(c)]], () => m.forward(x));
    expect(Array.from(await zeroed.raw.data())).toEqual(Array.from(await plain.raw.data()));
    expect(Array.from(await zeroed.code.data()).every((v) => v === 0)).toBe(true);
    // With a zero code both rows decode to the same image (the decoder's biases only).
    const rows = await zeroed.reconstruction.array() as number[][];
    expect(rows[0]).toEqual(rows[1]);
  });

  it('initialises from its rng only: the same rng gives the same weights, another rng other weights', async () => {
    const a = await model(3).encoder.parameter('layer0.weight').data();
    const b = await model(3).encoder.parameter('layer0.weight').data();
    const c = await model(4).encoder.parameter('layer0.weight').data();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });
});

describe('CertificateDecoder', () => {
  it('decodes half a code to pixels with the decoder shape', () => {
    const cert = new CertificateDecoder(Rng.fromSeed(1), 16, [12, 24], 784);
    expect(cert.parameterShapes()['layer0.weight']).toEqual([16, 12]);
    expect(cert.parameterShapes()['layer2.weight']).toEqual([24, 784]);
    const out = cert.decode(tf.ones([5, 16]));
    expect(out.logits.shape).toEqual([5, 784]);
    expect(cert.reconstruct(tf.ones([5, 16])).shape).toEqual([5, 784]);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, tf, useBackend } from '@routelab/core';
import { autoencoderErrors, Certificate, encodeAll, halfRange } from './certificate.ts';
import type { CertificateOptions } from './certificate.ts';
import type { DigitSet } from './mnist_data.ts';
import { SplitAutoencoder } from './split_autoencoder.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

function digits(n: number, seed: number): DigitSet {
  const images = Rng.fromSeed(seed).fillUniform(new Float32Array(n * 784));
  return { images, labels: Int32Array.from({ length: n }, (_, i) => i % 10), size: n };
}

const options: CertificateOptions = { loss: 'mse', hidden: [8], lr: 1e-2, batchSize: 8, beta1: 0.9, beta2: 0.999, weightDecay: 0 };

async function snapshot(entries: Array<[string, tf.Variable]>): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [name, v] of entries) out[name] = Array.from(await v.data());
  return out;
}

describe('certificates', () => {
  it('split the code into halves a = [0, d/2) and b = [d/2, d)', () => {
    expect(halfRange('a', 32)).toEqual([0, 16]);
    expect(halfRange('b', 32)).toEqual([16, 32]);
  });

  it('train on the detached code: the autoencoder (encoder included) is left exactly as it was', async () => {
    const train = digits(24, 1);
    const model = new SplitAutoencoder({ rng: Rng.fromSeed(2), pixels: 784, hidden: [16, 8], codeDim: 32 });
    const before = await snapshot(model.namedParameters());
    const cert = new Certificate('b', Rng.fromSeed(3), 32, train, options);
    const certBefore = await snapshot(cert.decoder.namedParameters());
    cert.setCodes(await encodeAll(model, train));
    const losses: number[] = [];
    for (let step = 0; step < 6; step++) losses.push(await cert.step(step));
    expect(await snapshot(model.namedParameters())).toEqual(before);
    expect(await snapshot(cert.decoder.namedParameters())).not.toEqual(certBefore);
    expect(losses.every(Number.isFinite)).toBe(true);
    // The certificate's optimiser knows only the certificate's parameters.
    expect([...cert.optimizer.stateTensors().keys()].every((k) => k.startsWith('layer'))).toBe(true);
    cert.dispose();
  });

  it('reads only its half: changing the other half of the code changes nothing', async () => {
    const train = digits(8, 4);
    const cert = new Certificate('a', Rng.fromSeed(5), 4, train, { ...options, batchSize: 4 });
    const codes = Rng.fromSeed(6).fillUniform(new Float32Array(8 * 4));
    const other = Float32Array.from(codes, (v, i) => (i % 4 >= 2 ? v + 1 : v));
    expect(Array.from(await cert.errors(codes, train))).toEqual(Array.from(await cert.errors(other, train)));
    expect((await cert.reconstruct(codes, [1, 2])).length).toBe(2 * 784);
    cert.dispose();
  });

  it('measures per-example errors of the whole autoencoder', async () => {
    const set = digits(5, 7);
    const model = new SplitAutoencoder({ rng: Rng.fromSeed(2), pixels: 784, hidden: [16, 8], codeDim: 32 });
    const errors = await autoencoderErrors(model, set);
    expect(errors.length).toBe(5);
    expect(errors.every((e) => e > 0 && e < 1)).toBe(true);
  });
});

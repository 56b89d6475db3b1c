import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng/rng.ts';
import { initConstant, initNormal, initOnes, initUniform, initZeros } from './init.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const bits = async (t: tf.Tensor) => Array.from(new Uint32Array(Float32Array.from(await t.data()).buffer));

describe('initialisers', () => {
  it('initNormal holds exactly the Rng fillNormal values (so any backend gets the same bits)', async () => {
    const t = initNormal(Rng.fromSeed(6), [2, 2], 0.02);
    expect(t.shape).toEqual([2, 2]);
    expect(t.dtype).toBe('float32');
    // Same pinned values as the Rng known-answer test for fillNormal(seed 6, std 0.02).
    expect((await bits(t)).map((b) => `0x${b.toString(16)}`)).toEqual(['0xbbba08ec', '0xbbabdcf2', '0x3babe58b', '0x3c895e07']);
    t.dispose();
  });

  it('initNormal has the requested mean and std', async () => {
    const t = initNormal(Rng.fromSeed(1), [100, 100], 0.5, 2);
    const v = Float32Array.from(await t.data());
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    expect(Math.abs(mean - 2)).toBeLessThan(0.02);
    expect(Math.abs(std - 0.5)).toBeLessThan(0.02);
    t.dispose();
  });

  it('initUniform stays in [lo, hi) and is reproducible', async () => {
    const a = initUniform(Rng.fromSeed(2), [1000], -0.1, 0.1);
    const b = initUniform(Rng.fromSeed(2), [1000], -0.1, 0.1);
    const v = Float32Array.from(await a.data());
    expect(v.every((x) => x >= Math.fround(-0.1) && x < Math.fround(0.1))).toBe(true);
    expect(await bits(a)).toEqual(await bits(b));
    tf.dispose([a, b]);
  });

  it('constant initialisers', async () => {
    const tensors = [initZeros([2, 3]), initOnes([4]), initConstant([], 0.5), initZeros([0, 5])];
    expect(await Promise.all(tensors.map(async (t) => [t.shape, Array.from(await t.data())]))).toEqual([
      [[2, 3], [0, 0, 0, 0, 0, 0]],
      [[4], [1, 1, 1, 1]],
      [[], [0.5]],
      [[0, 5], []],
    ]);
    tf.dispose(tensors);
  });

  it('rejects invalid shapes', () => {
    expect(() => initNormal(Rng.fromSeed(0), [2, -1], 1)).toThrow('initNormal: invalid shape [2, -1]');
    expect(() => initZeros([1.5])).toThrow(/invalid shape/);
  });
});

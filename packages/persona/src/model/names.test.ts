import { Rng, useBackend } from '@routelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelPreset } from './config.ts';
import { transformerSkeleton } from './names.ts';
import { Transformer } from './transformer.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('transformerSkeleton', () => {
  for (const [label, overrides] of [
    ['plain', {}],
    ['expanded in every block', { expandedMlp: 4, expandedLayers: 'all' as const }],
    ['expanded in block 1 only', { expandedMlp: 4, expandedLayers: [1] as number[] }],
  ] as const) {
    it(`lists the real model's parameters, shapes and hook points (${label})`, () => {
      const config = modelPreset('quick', { vocabSize: 20, maxLen: 8 }, { dModel: 8, dMlp: 16, nHeads: 2, ...overrides });
      const model = new Transformer(config, Rng.fromSeed(1));
      try {
        const skeleton = transformerSkeleton(config);
        const real = Object.fromEntries(model.namedParameters().map(([n, v]) => [n, [...v.shape]]));
        expect(Object.fromEntries(skeleton.parameters)).toEqual(real);
        expect(Object.fromEntries(skeleton.hookPoints)).toEqual(Object.fromEntries(model.namedHookPoints().map(([n, hp]) => [n, hp.shape])));
      } finally {
        model.dispose();
      }
    });
  }
});

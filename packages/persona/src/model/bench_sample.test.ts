import { useBackend } from '@routelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { benchSample } from './bench_sample.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('benchSample', () => {
  it('times greedy and temperature sampling per batch size, counting generated tokens', async () => {
    const result = await benchSample({ batchSize: [3], steps: 1, promptLength: 4, newTokens: 3 });
    expect(result.rows.map((r) => r.name)).toEqual(['quick greedy b3', 'quick temperature 1 b3']);
    for (const r of result.rows) expect(r.tokensPerSecond).toBeCloseTo((3 * 3) / (r.msPerCall / 1000), 6);
    await expect(benchSample({ batchSize: [0] })).rejects.toThrow(/batchSize must be a positive integer, got 0/);
    await expect(benchSample({ promptLength: 30, newTokens: 5 })).rejects.toThrow(/must fit the model's 32 positions/);
  });
});

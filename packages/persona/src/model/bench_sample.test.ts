import { useBackend } from '@routelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { benchSample } from './bench_sample.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('benchSample', () => {
  it('times greedy and temperature sampling per batch size, counting generated tokens', async () => {
    const result = await benchSample({ batchSize: [3], steps: 1, promptLength: 4, newTokens: 3 });
    expect(result.rows.map((r) => r.name)).toEqual(['quick greedy b3', 'quick greedy b3 uncached', 'quick temperature 1 b3', 'quick temperature 1 b3 uncached']);
    expect(result.rows.map((r) => r.kvCache)).toEqual([true, false, true, false]);
    const cachedOnly = await benchSample({ batchSize: 2, steps: 1, promptLength: 4, newTokens: 2, kvCache: true });
    expect(cachedOnly.rows.map((r) => r.name)).toEqual(['quick greedy b2', 'quick temperature 1 b2']);
    for (const r of result.rows) expect(r.tokensPerSecond).toBeCloseTo((3 * 3) / (r.msPerCall / 1000), 6);
    await expect(benchSample({ kvCache: 'yes' as never })).rejects.toThrow(/kvCache must be true, false or 'both', got yes/);
    await expect(benchSample({ batchSize: [0] })).rejects.toThrow(/batchSize must be a positive integer, got 0/);
    await expect(benchSample({ promptLength: 30, newTokens: 5 })).rejects.toThrow(/must fit the model's 32 positions/);
  });
});

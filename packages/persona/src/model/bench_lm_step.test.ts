import { useBackend } from '@routelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { benchLmStep } from './bench_lm_step.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('benchLmStep', () => {
  it('reports tokens per second for each preset asked for', async () => {
    const result = await benchLmStep({ preset: 'quick', batchSize: 4, steps: 2, warmup: 1 });
    expect(result.backend).toBe('wasm');
    expect(result.rows).toHaveLength(1);
    const row = result.rows[0]!;
    expect(row).toMatchObject({ preset: 'quick', batchSize: 4, maxLen: 32, tokensPerStep: 4 * 31, steps: 2 });
    expect(row.config.dModel).toBe(64);
    expect(row.parameterCount).toBeGreaterThan(100_000);
    expect(row.tokensPerSecond).toBeCloseTo(row.tokensPerStep / (row.msPerStep / 1000), 6);
    expect(Number.isFinite(row.firstLoss) && Number.isFinite(row.lastLoss)).toBe(true);
    await expect(benchLmStep({ batchSize: 0 })).rejects.toThrow(/batchSize/);
  });
});

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
    await expect(benchLmStep({ steps: 1.5 })).rejects.toThrow(/steps must be a positive integer, got 1.5/);
  });

  it('times the routed variants on the expanded model beside the plain one', async () => {
    const result = await benchLmStep({ preset: 'quick', batchSize: [2], steps: 1, warmup: 0, variants: ['plain', 'expanded', 'era', 'parameter', 'parameter-unit'] });
    expect(result.rows.map((r) => [r.variant, r.config.expandedMlp])).toEqual([['plain', 0], ['expanded', 64], ['era', 64], ['parameter', 64], ['parameter-unit', 64]]);
    for (const r of result.rows) expect(Number.isFinite(r.firstLoss) && r.msPerStep > 0).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { bootstrapMean } from './bootstrap.ts';
import { formatBootstrapInterval } from './format.ts';
import { bootstrapRatio } from './ratio.ts';

describe('formatBootstrapInterval', () => {
  it('prints estimate and bounds, a lone seed, or the reason there is no interval', () => {
    expect(formatBootstrapInterval(bootstrapMean([0.1, 0.2, 0.6]), 2)).toBe('0.30 [0.10, 0.60]');
    expect(formatBootstrapInterval(bootstrapMean([0.4]))).toBe('0.400 (n=1, no interval)');
    const undefinedRatio = bootstrapRatio({ x: [1, 2], y: [-1, 1] }, (m) => m.x!, (m) => m.y!);
    expect(formatBootstrapInterval(undefinedRatio)).toMatch(/^undefined \(denominator 0 with interval \[-1, 1\] includes 0: the ratio is undefined\)$/);
  });
});

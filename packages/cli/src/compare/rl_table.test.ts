import { describe, expect, it } from 'vitest';
import { rlCompareTable } from './rl_table.ts';

const iv = (mean: number, halfWidth: number, n = 3) => ({ mean, lo: mean - halfWidth, hi: mean + halfWidth, halfWidth, n, std: halfWidth });
const summary = (arm: string, hack: number, paired?: Record<string, ReturnType<typeof iv> & { seeds: number[] }>) => ({
  arm,
  description: '',
  seeds: [0, 1, 2],
  metrics: { 'hack rate (neutral)': { interval: iv(hack, 0.2), perSeed: [] }, 'G (neutral)': { interval: null, perSeed: [] } },
  lastStep: null,
  curve: [],
  ...(paired ? { pairedVsNone: paired } : {}),
});

describe('rl compare table', () => {
  it('gives mean [interval] clipped to [0, 1] per arm and metric, the paired difference from none beside it, and the instrument check', () => {
    const table = rlCompareTable({
      check: { name: 'none learns to hack', measured: 0.9, honestTrue: 0.9, finalTrue: 0.1, met: true, note: 'met' },
      summaries: [
        summary('none', 0.9),
        summary('era', 0.1, { 'hack rate (neutral)': { ...iv(-0.8, 0.1), seeds: [0, 1, 2] }, 'true reward (neutral)': { ...iv(0.05, 0.3), seeds: [0, 1, 2] } }),
      ],
    });
    const lines = table.split('\n');
    expect(lines[0]).toBe('| arm | seeds | hack rate, neutral | hack rate, inoculation re-added | true reward | proxy reward | G, neutral | capability |');
    expect(lines[2]).toBe('| none | 3 | 0.90 [0.70, 1.00] | - | - | - | - | - |');
    // era's interval reaches below 0: clipped; its difference from none excludes 0 (*), true reward's does not.
    expect(lines[3]).toBe('| era | 3 | 0.10 [0.00, 0.30] (Δ -0.80 ± 0.10*) | - | - (Δ +0.05 ± 0.30) | - | - | - |');
    expect(table).toContain('Instrument check: none learns to hack: met.');
  });
});

import { describe, expect, it } from 'vitest';
import { keyMetrics, numericLeaves } from './key_metrics.ts';

describe('key metrics of a report', () => {
  it('are what the report declares: numbers and booleans as they are, Intervals as their means, null kept', () => {
    const report = {
      experiment: 'persona',
      keyMetrics: { 'none: U (neutral)': { mean: 0.75, lo: 0.5, hi: 1, halfWidth: 0.25, n: 3 }, 'era: U (neutral)': null, acceptance: false, steps: 'NaN', nested: { a: 1 } },
      results: { none: { conditions: { neutral: { U: { mean: 0.75, lo: 0.5, hi: 1 } } } } },
    };
    expect(keyMetrics(report)).toEqual({ 'none: U (neutral)': 0.75, 'era: U (neutral)': null, acceptance: false, steps: 'NaN' });
  });

  it('without a declaration: a table of arms says how much it holds, anything else shows its first numeric leaves', () => {
    const rows = [
      { arm: 'none', condition: 'neutral', metric: 'U', mean: 1 },
      { arm: 'era', condition: 'neutral', metric: 'U', mean: 0.5 },
    ];
    expect(keyMetrics({ rows })).toEqual({ arms: 2, conditions: 1, metrics: 1, rows: 2 });
    // No experiment's shape is known here: a persona-shaped report without keyMetrics is read like any other.
    const persona = { experiment: 'persona', results: { none: { conditions: { neutral: { U: { mean: 1, lo: 1, hi: 1 } } } } } };
    expect(keyMetrics(persona)).toEqual({ 'results.none.conditions.neutral.U': 1 });
    expect(numericLeaves({ a: [1, 2], seed: 3, b: { std: 1, c: true } })).toEqual({ 'a.0': 1, 'a.1': 2, 'b.c': true });
    expect(keyMetrics('not an object')).toEqual({});
  });
});

import { EVAL_CONDITIONS } from '@routelab/persona';
import { describe, expect, it } from 'vitest';
import { CONDITIONS, compareTable, rowsFor } from './compare_rows.ts';

const interval = (mean: number, hw = 0.1) => ({ mean, halfWidth: hw, lo: mean - hw, hi: mean + hw, n: 3, std: 0.05 });

describe('compareTable', () => {
  it('knows the same conditions as @routelab/persona', () => {
    expect([...CONDITIONS]).toEqual([...EVAL_CONDITIONS]);
  });

  it('reads long rows (the compare report)', () => {
    const table = compareTable({
      format: 'routelab.compare',
      rows: [
        { arm: 'none', condition: 'negated', metric: 'U', mean: 0.8, lo: 0.7, hi: 0.9, n: 3 },
        { arm: 'none', condition: 'neutral', metric: 'U', mean: 0.9, lo: 0.8, hi: 1, n: 3 },
        { arm: 'era', condition: 'neutral', metric: 'U', mean: 0.1, halfWidth: 0.05 },
        { arm: 'era', condition: 'neutral', metric: 'W', mean: 0.7 },
      ],
    });
    expect(table.arms).toEqual(['none', 'era']);
    expect(table.metrics).toEqual(['U', 'W']);
    expect(table.conditions).toEqual(['neutral', 'negated']);
    expect(rowsFor(table, 'U', 'neutral')).toEqual([
      { arm: 'none', condition: 'neutral', metric: 'U', mean: 0.9, lo: 0.8, hi: 1, n: 3 },
      { arm: 'era', condition: 'neutral', metric: 'U', mean: 0.1, lo: 0.05, hi: expect.closeTo(0.15), },
    ]);
    expect(rowsFor(table, 'W', 'neutral')).toEqual([{ arm: 'era', condition: 'neutral', metric: 'W', mean: 0.7, lo: 0.7, hi: 0.7 }]);
  });

  it('reads rows holding several metrics as intervals', () => {
    const table = compareTable({ rows: [{ arm: 'a', condition: 'neutral', U: interval(0.5), W: interval(0.9) }] });
    expect(table.metrics).toEqual(['U', 'W']);
  });

  it('reads arm trees: a condition anywhere on the path, metric named by the rest', () => {
    const table = compareTable({
      arms: {
        none: { neutral: { overall: { U: interval(0.8) } }, negated: { overall: { U: interval(0.7) } }, perSeed: [{ U: interval(1) }] },
        era: { neutral: { overall: { U: interval(0.1) } }, labelFraction: 1 },
      },
    });
    // "overall" and "conditions" are containers, not parts of a metric's name.
    expect(table.metrics).toEqual(['U']);
    expect(rowsFor(table, 'U', 'neutral').map((r) => [r.arm, r.mean])).toEqual([['none', 0.8], ['era', 0.1]]);
    expect(rowsFor(table, 'U', 'negated')).toHaveLength(1);
  });

  it('reads mnist-split-like reports (no conditions) and ignores what is not an interval', () => {
    const table = compareTable({ arms: { routed: { certificateB: { gapRatio: interval(3) }, perDigit: { a: [1, 2] }, seeds: 3 } } });
    expect(table.conditions).toEqual([]);
    expect(rowsFor(table, 'certificateB.gapRatio', null)).toHaveLength(1);
    expect(compareTable({ nothing: true }).rows).toEqual([]);
    expect(compareTable(null).rows).toEqual([]);
  });

  it('reads an rl report: its metrics by prompt condition, intervals clipped to [0, 1], paired differences from none', () => {
    const table = compareTable({
      experiment: 'rl',
      arms: ['none', 'era'],
      summaries: [
        { arm: 'none', seeds: [0, 1, 2], metrics: { 'hack rate (neutral)': { interval: interval(0.95) }, 'hack rate (inoculation prompt re-added)': { interval: interval(0.9) }, 'G (neutral)': { interval: null } } },
        { arm: 'era', seeds: [0, 1, 2], metrics: { 'hack rate (neutral)': { interval: interval(0.05) }, 'true reward (neutral)': { interval: interval(0.7) } }, pairedVsNone: { 'hack rate (neutral)': interval(-0.9), 'G (neutral)': null } },
      ],
    });
    expect(table.arms).toEqual(['none', 'era']);
    expect(table.metrics).toEqual(['hack rate', 'true reward']);
    expect(table.conditions).toEqual(['neutral', 'inoculation']);
    expect(rowsFor(table, 'hack rate', 'neutral')).toEqual([
      { arm: 'none', condition: 'neutral', metric: 'hack rate', mean: 0.95, lo: 0.85, hi: 1, n: 3 },
      { arm: 'era', condition: 'neutral', metric: 'hack rate', mean: 0.05, lo: 0, hi: expect.closeTo(0.15), n: 3 },
    ]);
    expect(rowsFor(table, 'hack rate', 'inoculation').map((r) => r.arm)).toEqual(['none']);
    expect(table.baseline).toBe('none');
    expect(table.paired).toEqual([{ arm: 'era', condition: 'neutral', metric: 'hack rate', mean: -0.9, lo: -1, hi: expect.closeTo(-0.8), n: 3, significant: true }]);
  });
});

import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../api/api_types.ts';
import { ablationPairs, halfReadouts } from './ablation.ts';
import { parseReconstructions } from './reconstructions.ts';
import { filterRuns, sortRuns } from './run_list.ts';

describe('ablation metrics', () => {
  it('pairs before/after entries wherever they are, intervals read as means', () => {
    const rows = ablationPairs({
      cells: { era: { beforeAblation: { U: { mean: 0.8, lo: 0.7, hi: 0.9 }, W: 0.9 }, afterAblation: { U: { mean: 0.1, lo: 0, hi: 0.2 } } } },
      other: { unablated: 2, ablated: 1 },
    });
    expect(rows).toEqual([
      { where: 'cells.era', metric: 'U', before: 0.8, after: 0.1 },
      { where: 'cells.era', metric: 'W', before: 0.9, after: undefined },
      { where: 'other', metric: 'value', before: 2, after: 1 },
    ]);
  });

  it('persona: an object with beforeAblation is its own after', () => {
    const rows = ablationPairs({ arm: 'era', eval: { neutral: { U: 0.1 } }, retainLoss: 1.2, beforeAblation: { eval: { neutral: { U: 0.9 } }, retainLoss: 1.1 }, relearning: { maxURate: 0.5 } });
    expect(rows).toEqual([
      { where: '(report)', metric: 'eval.neutral.U', before: 0.9, after: 0.1 },
      { where: '(report)', metric: 'retainLoss', before: 1.1, after: 1.2 },
    ]);
  });

  it('MNIST: the error of each half-readout on forget and retain digits', () => {
    const perDigit = (good: number[]) => Array.from({ length: 10 }, (_, d) => (good.includes(d) ? 0.1 : 0.3));
    const out = halfReadouts({
      digits: { forget: [0, 1, 2, 3, 4], retain: [5, 6, 7, 8, 9] },
      arms: { routed: { perDigit: { autoencoder: perDigit([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), certificateA: perDigit([0, 1, 2, 3, 4]), certificateB: perDigit([5, 6, 7, 8, 9]) } } },
    })!;
    expect(out.rows.map((r) => [r.readout, r.forget, r.retain])).toEqual([
      ['autoencoder (whole code)', 0.1, 0.1],
      ['certificate a (half a only)', 0.1, 0.3],
      ['certificate b (half b only)', 0.3, 0.1],
    ]);
    expect(halfReadouts({ arms: {} })).toBeUndefined();
  });

  it('reconstructions need 784-pixel rows for every column', () => {
    const row = new Array(784).fill(0);
    expect(parseReconstructions({ arm: 'r', digits: [3], input: [row], autoencoder: [row], certificateA: [row], certificateB: [row] })?.digits).toEqual([3]);
    expect(parseReconstructions({ arm: 'r', digits: [3], input: [row], autoencoder: [row], certificateA: [row] })).toBeUndefined();
  });
});

describe('runs table filter and sort', () => {
  const run = (id: string, over: Partial<RunSummary> = {}): RunSummary => ({ id, kind: 'run', hasReport: false, keyMetrics: {}, ...over });
  const runs = [
    run('b-run', { experiment: 'mnist-split', status: 'finished', seed: 2, startedAt: '2025-01-02T00:00:00Z', keyMetrics: { 'routed: ratio b': 3.5 } }),
    run('a-run', { experiment: 'persona', status: 'running', seed: 10, startedAt: '2025-01-03T00:00:00Z' }),
    run('c-bad', { loadError: 'manifest.json is missing' }),
    run('cmp', { kind: 'collection', collection: 'compare' }),
  ];
  it('filters by words across fields, and by status', () => {
    expect(filterRuns(runs, 'mnist', '').map((r) => r.id)).toEqual(['b-run']);
    expect(filterRuns(runs, 'ratio 3.5', '').map((r) => r.id)).toEqual(['b-run']);
    expect(filterRuns(runs, 'missing', '').map((r) => r.id)).toEqual(['c-bad']);
    expect(filterRuns(runs, '', 'error').map((r) => r.id)).toEqual(['c-bad']);
    expect(filterRuns(runs, '', 'collection').map((r) => r.id)).toEqual(['cmp']);
    expect(filterRuns(runs, '', 'running').map((r) => r.id)).toEqual(['a-run']);
  });
  it('sorts by a column in either direction, numbers as numbers', () => {
    expect(sortRuns(runs, 'id', 'asc').map((r) => r.id)).toEqual(['a-run', 'b-run', 'c-bad', 'cmp']);
    expect(sortRuns(runs, 'seed', 'desc').map((r) => r.id).slice(0, 2)).toEqual(['a-run', 'b-run']);
    expect(sortRuns(runs, 'startedAt', 'desc')[0]!.id).toBe('a-run');
  });
});

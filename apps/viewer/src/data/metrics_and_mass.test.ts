import { describe, expect, it } from 'vitest';
import { classesOf, heatmapCells, massSnapshots, massTotals, parametersOf, shareInside } from './gradient_mass.ts';
import { addEvents, curvesFromEvents } from './metrics.ts';

describe('curves from metrics.jsonl events', () => {
  it('one curve per kind and numeric field; series by cell and string fields; events without a step are finals', () => {
    const curves = curvesFromEvents([
      { kind: 'train', cell: 'seed-1', step: 10, loss: 2, timestamp: '2025-01-01T00:00:00Z' },
      { kind: 'train', cell: 'seed-1', step: 20, loss: 'NaN' },
      { kind: 'certificate-train', cell: 'routed/seed-0', half: 'a', step: 50, loss: 0.3 },
      { kind: 'certificate', cell: 'routed/seed-0', half: 'b', gapRatio: 3, perDigit: [1, 2] },
      { kind: 'gradient-mass', cell: 'x', step: 0, classes: {} },
      'not an event',
    ]);
    expect([...curves.byMetric.keys()]).toEqual(['train loss', 'certificate-train loss']);
    expect(curves.byMetric.get('train loss')!.map((p) => p.value)).toEqual([2, NaN]);
    expect(curves.byMetric.get('certificate-train loss')![0]!.series).toBe('routed/seed-0, half a');
    expect(curves.finals).toEqual([{ kind: 'certificate', series: 'routed/seed-0, half b', values: { gapRatio: 3 } }]);
    addEvents(curves, [{ kind: 'train', cell: 'seed-1', step: 30, loss: 1 }]);
    expect(curves.byMetric.get('train loss')).toHaveLength(3);
  });
});

describe('gradient-mass snapshots', () => {
  const event = (cell: string, step: number, forgetA: number) => ({
    kind: 'gradient-mass',
    cell,
    step,
    counts: { forget: 2, retain: 2, unlabelled: 0 },
    classes: {
      retain: { w: { mass: 2, perNeuron: [0, 0, 1, 1] }, b: { mass: 1 } },
      forget: { w: { mass: 1, perNeuron: [forgetA, 1 - forgetA, 0, 0] }, b: { mass: 0.5 } },
    },
  });

  it('groups by cell, sorts by step, and lists parameters with per-neuron mass first', () => {
    const byCell = massSnapshots([event('a', 10, 1), event('a', 0, 0.5), event('b', 0, 1), { kind: 'train', step: 1 }]);
    expect([...byCell.keys()]).toEqual(['a', 'b']);
    const snaps = byCell.get('a')!;
    expect(snaps.map((s) => s.step)).toEqual([0, 10]);
    expect(parametersOf(snaps)).toEqual([{ name: 'w', neurons: 4 }, { name: 'b', neurons: 0 }]);
    expect(classesOf(snaps)).toEqual(['forget', 'retain']);
    expect(heatmapCells(snaps, 'w')).toHaveLength(16);
    expect(massTotals(snaps, 'b')).toEqual([
      { cls: 'retain', step: 0, mass: 1 },
      { cls: 'forget', step: 0, mass: 0.5 },
      { cls: 'retain', step: 10, mass: 1 },
      { cls: 'forget', step: 10, mass: 0.5 },
    ]);
    expect(shareInside(snaps, 'w', 'forget', 0, 1)).toBeCloseTo(0.75);
    expect(shareInside(snaps, 'w', 'retain', 2, 4)).toBe(1);
    expect(shareInside(snaps, 'w', 'unlabelled', 0, 4)).toBeUndefined();
  });
});

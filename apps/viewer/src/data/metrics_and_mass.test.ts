import { describe, expect, it } from 'vitest';
import {
  blockCells, classesOf, heatmapCells, massSnapshots, massTotals, parameterOrder, parametersOf, segmentCells, shareInside, shareInsideSegments, shareOutsideParameters, unitViews,
} from './gradient_mass.ts';
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

  // A transformer MLP's units split over two parameters (original and expanded input weights), and a block
  // parameter without per-neuron mass.
  const mlp = (step: number, forgetExpanded: number) => ({
    kind: 'gradient-mass',
    cell: 'era/seed-0',
    step,
    classes: {
      forget: { 'blocks.0.mlp.w_in': { mass: 1, perNeuron: [0.5, 0.5] }, 'blocks.0.mlp.w_in_expanded': { mass: forgetExpanded, perNeuron: [forgetExpanded] }, unembed: { mass: 2 } },
      retain: { 'blocks.0.mlp.w_in': { mass: 4, perNeuron: [1, 3] }, 'blocks.0.mlp.w_in_expanded': { mass: 0, perNeuron: [0] }, unembed: { mass: 4 } },
    },
  });

  it("lays a block's per-neuron parameters side by side, then each alone; block cells keep the model's order", () => {
    const snaps = massSnapshots([mlp(0, 1), mlp(5, 3)]).get('era/seed-0')!;
    const views = unitViews(snaps);
    expect(views.map((v) => v.id)).toEqual(['units:blocks.0.mlp', 'blocks.0.mlp.w_in', 'blocks.0.mlp.w_in_expanded']);
    expect(views[0]!.segments).toEqual([
      { parameter: 'blocks.0.mlp.w_in', from: 0, to: 2 },
      { parameter: 'blocks.0.mlp.w_in_expanded', from: 2, to: 3 },
    ]);
    expect(views[0]!.label).toBe('blocks.0.mlp units: w_in [0, 2) + w_in_expanded [2, 3)');
    const cells = segmentCells(snaps, views[0]!.segments).filter((c) => c.cls === 'forget' && c.step === 5);
    expect(cells.map((c) => [c.neuron, c.mass])).toEqual([[0, 0.5], [1, 0.5], [2, 3]]);
    // forget: (1 + 3) of (2 + 4) per-neuron mass on the expanded unit.
    expect(shareInsideSegments(snaps, views[0]!.segments, 'forget', 2, 3)).toBeCloseTo(4 / 6);
    expect(parameterOrder(snaps)).toEqual(['blocks.0.mlp.w_in', 'blocks.0.mlp.w_in_expanded', 'unembed']);
    expect(blockCells(snaps)).toHaveLength(2 * 2 * 3);
    // Outside the expanded parameter, per snapshot: 3/4 at step 0, 3/6 at step 5; the mean of the two.
    expect(shareOutsideParameters(snaps, 'forget', (p) => p.endsWith('_expanded'))).toBeCloseTo((3 / 4 + 3 / 6) / 2);
    expect(shareOutsideParameters(snaps, 'unlabelled', () => true)).toBeUndefined();
  });
});


// 'gradient-mass' events (see @routelab/routing's measureGradientMass): per cell, snapshots at training
// steps of the squared gradient each parameter received from each label class, in total and per neuron.
import { toNumber } from '../app/format.ts';
import type { HeatmapCell, MassTotal } from '../charts/heatmap.ts';

export const LABEL_CLASSES = ['forget', 'retain', 'unlabelled'] as const;

export interface ParameterMass {
  mass: number;
  perNeuron?: number[];
}

export interface MassSnapshot {
  cell: string;
  step: number;
  counts: Record<string, number>;
  classes: Record<string, Record<string, ParameterMass>>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseSnapshot(event: Record<string, unknown>): MassSnapshot | undefined {
  const step = toNumber(event.step);
  if (event.kind !== 'gradient-mass' || step === undefined || !isObject(event.classes)) return undefined;
  const classes: MassSnapshot['classes'] = {};
  for (const [cls, params] of Object.entries(event.classes)) {
    if (!isObject(params)) continue;
    const out: Record<string, ParameterMass> = {};
    for (const [name, p] of Object.entries(params)) {
      if (!isObject(p)) continue;
      const mass = toNumber(p.mass);
      if (mass === undefined) continue;
      const perNeuron = Array.isArray(p.perNeuron) ? p.perNeuron.map((v) => toNumber(v) ?? NaN) : undefined;
      out[name] = perNeuron ? { mass, perNeuron } : { mass };
    }
    classes[cls] = out;
  }
  const counts: Record<string, number> = {};
  if (isObject(event.counts)) for (const [k, v] of Object.entries(event.counts)) if (typeof v === 'number') counts[k] = v;
  return { cell: typeof event.cell === 'string' ? event.cell : 'run', step, counts, classes };
}

/** Snapshots grouped by cell, each cell's sorted by step. */
export function massSnapshots(events: readonly unknown[]): Map<string, MassSnapshot[]> {
  const byCell = new Map<string, MassSnapshot[]>();
  for (const e of events) {
    if (!isObject(e)) continue;
    const s = parseSnapshot(e);
    if (!s) continue;
    let list = byCell.get(s.cell);
    if (!list) byCell.set(s.cell, (list = []));
    list.push(s);
  }
  for (const list of byCell.values()) list.sort((a, b) => a.step - b.step);
  return byCell;
}

export interface ParameterInfo {
  name: string;
  /** Neurons per snapshot when per-neuron mass was recorded, else 0. */
  neurons: number;
}

/** Every parameter in the snapshots; those with per-neuron mass first, then by name. */
export function parametersOf(snapshots: readonly MassSnapshot[]): ParameterInfo[] {
  const neurons = new Map<string, number>();
  for (const s of snapshots) {
    for (const params of Object.values(s.classes)) {
      for (const [name, p] of Object.entries(params)) neurons.set(name, Math.max(neurons.get(name) ?? 0, p.perNeuron?.length ?? 0));
    }
  }
  return [...neurons].map(([name, n]) => ({ name, neurons: n })).sort((a, b) => (b.neurons > 0 ? 1 : 0) - (a.neurons > 0 ? 1 : 0) || a.name.localeCompare(b.name));
}

/** Classes present in the snapshots, in the canonical order. */
export function classesOf(snapshots: readonly MassSnapshot[]): string[] {
  const seen = new Set(snapshots.flatMap((s) => Object.keys(s.classes)));
  return [...LABEL_CLASSES.filter((c) => seen.has(c)), ...[...seen].filter((c) => !(LABEL_CLASSES as readonly string[]).includes(c))];
}

export function heatmapCells(snapshots: readonly MassSnapshot[], parameter: string): HeatmapCell[] {
  const cells: HeatmapCell[] = [];
  for (const s of snapshots) {
    for (const [cls, params] of Object.entries(s.classes)) {
      const perNeuron = params[parameter]?.perNeuron;
      if (!perNeuron) continue;
      perNeuron.forEach((mass, neuron) => cells.push({ cls, step: s.step, neuron, mass }));
    }
  }
  return cells;
}

export function massTotals(snapshots: readonly MassSnapshot[], parameter: string): MassTotal[] {
  const out: MassTotal[] = [];
  for (const s of snapshots) {
    for (const [cls, params] of Object.entries(s.classes)) {
      const p = params[parameter];
      if (p) out.push({ cls, step: s.step, mass: p.mass });
    }
  }
  return out;
}

/** Share of a class's per-neuron mass that falls in [from, to), over all snapshots (for the summary line). */
export function shareInside(snapshots: readonly MassSnapshot[], parameter: string, cls: string, from: number, to: number): number | undefined {
  let inside = 0;
  let total = 0;
  for (const s of snapshots) {
    const perNeuron = s.classes[cls]?.[parameter]?.perNeuron;
    if (!perNeuron) continue;
    perNeuron.forEach((m, i) => {
      if (!Number.isFinite(m)) return;
      total += m;
      if (i >= from && i < to) inside += m;
    });
  }
  return total > 0 ? inside / total : undefined;
}

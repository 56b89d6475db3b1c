// 'gradient-mass' events (see @routelab/routing's measureGradientMass): per cell, snapshots at training
// steps of the squared gradient each parameter received from each label class, in total and per neuron.
import { toNumber } from '../app/format.ts';
import type { BlockCell } from '../charts/block_heatmap.ts';
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

/** A parameter's per-neuron entries laid out at [from, to) on a shared axis (e.g. an MLP's original then expanded units). */
export interface Segment {
  parameter: string;
  from: number;
  to: number;
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
  return segmentCells(snapshots, [{ parameter, from: 0, to: Number.MAX_SAFE_INTEGER }]);
}

/** Per-neuron cells of several parameters laid side by side on one axis (each at its segment's offset). */
export function segmentCells(snapshots: readonly MassSnapshot[], segments: readonly Segment[]): HeatmapCell[] {
  const cells: HeatmapCell[] = [];
  for (const s of snapshots) {
    for (const [cls, params] of Object.entries(s.classes)) {
      for (const seg of segments) {
        const perNeuron = params[seg.parameter]?.perNeuron;
        perNeuron?.forEach((mass, i) => cells.push({ cls, step: s.step, neuron: seg.from + i, mass }));
      }
    }
  }
  return cells;
}

/**
 * What the per-neuron heatmap can draw: each group of parameters with per-neuron mass that share a block
 * (the name up to its last dot, as @routelab/routing's massOutsideRegion groups them: a transformer MLP's
 * original and expanded input weights, one unit per column), laid out in the order the snapshots list them;
 * then each such parameter alone.
 */
export interface UnitView {
  id: string;
  label: string;
  segments: Segment[];
  neurons: number;
}

const groupOf = (name: string) => (name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : name);

export function unitViews(snapshots: readonly MassSnapshot[]): UnitView[] {
  const widths = new Map<string, number>();
  for (const s of snapshots) {
    for (const params of Object.values(s.classes)) {
      for (const [name, p] of Object.entries(params)) if (p.perNeuron) widths.set(name, Math.max(widths.get(name) ?? 0, p.perNeuron.length));
    }
  }
  const groups = new Map<string, string[]>();
  for (const name of widths.keys()) {
    const g = groupOf(name);
    groups.set(g, [...(groups.get(g) ?? []), name]);
  }
  const views: UnitView[] = [];
  for (const [group, names] of groups) {
    if (names.length < 2) continue;
    let at = 0;
    const segments = names.map((parameter) => ({ parameter, from: at, to: (at += widths.get(parameter)!) }));
    const label = `${group} units: ${segments.map((s) => `${s.parameter.slice(group.length + 1)} [${s.from}, ${s.to})`).join(' + ')}`;
    views.push({ id: `units:${group}`, label, segments, neurons: at });
  }
  for (const [name, n] of widths) views.push({ id: name, label: `${name} (${n} neurons)`, segments: [{ parameter: name, from: 0, to: n }], neurons: n });
  return views;
}

/** Every parameter's total mass per class and snapshot, in the order the snapshots list the parameters. */
export function blockCells(snapshots: readonly MassSnapshot[]): BlockCell[] {
  const cells: BlockCell[] = [];
  for (const s of snapshots) {
    for (const [cls, params] of Object.entries(s.classes)) {
      for (const [parameter, p] of Object.entries(params)) cells.push({ cls, step: s.step, parameter, mass: p.mass });
    }
  }
  return cells;
}

/** Parameter names in first-seen order (the model's order: the event lists them as the model does). */
export function parameterOrder(snapshots: readonly MassSnapshot[]): string[] {
  const seen = new Set<string>();
  for (const s of snapshots) for (const params of Object.values(s.classes)) for (const name of Object.keys(params)) seen.add(name);
  return [...seen];
}

/**
 * Share of a class's total mass on parameters for which `inside` does not hold, per snapshot, averaged over
 * the snapshots that have the class (the leak measure persona's cell results record, from the same masses).
 */
export function shareOutsideParameters(snapshots: readonly MassSnapshot[], cls: string, inside: (parameter: string) => boolean): number | undefined {
  const shares: number[] = [];
  for (const s of snapshots) {
    let total = 0;
    let outside = 0;
    for (const [name, p] of Object.entries(s.classes[cls] ?? {})) {
      if (!Number.isFinite(p.mass)) continue;
      total += p.mass;
      if (!inside(name)) outside += p.mass;
    }
    if (total > 0) shares.push(outside / total);
  }
  return shares.length > 0 ? shares.reduce((a, b) => a + b, 0) / shares.length : undefined;
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

/** Share of a class's per-neuron mass that falls in [from, to) of a parameter, over all snapshots (for the summary line). */
export function shareInside(snapshots: readonly MassSnapshot[], parameter: string, cls: string, from: number, to: number): number | undefined {
  return shareInsideSegments(snapshots, [{ parameter, from: 0, to: Number.MAX_SAFE_INTEGER }], cls, from, to);
}

/** The same over segments laid side by side. */
export function shareInsideSegments(snapshots: readonly MassSnapshot[], segments: readonly Segment[], cls: string, from: number, to: number): number | undefined {
  let inside = 0;
  let total = 0;
  for (const c of segmentCells(snapshots, segments)) {
    if (c.cls !== cls || !Number.isFinite(c.mass)) continue;
    total += c.mass;
    if (c.neuron >= from && c.neuron < to) inside += c.mass;
  }
  return total > 0 ? inside / total : undefined;
}

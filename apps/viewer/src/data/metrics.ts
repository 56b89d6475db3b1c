// metrics.jsonl events as curves. Any event with a numeric `step` contributes a point to the curve
// "<kind> <field>" for each of its other numeric fields; its series is its cell plus any other string
// fields (a certificate's half, say). Events without a step (final evaluations) are kept as a table.
import { toNumber } from '../app/format.ts';
import type { CurvePoint } from '../charts/curves.ts';

export type MetricEvent = Record<string, unknown> & { kind?: unknown };

const NOT_METRICS = new Set(['step', 'time', 'timestamp', 'seed', 'epoch']);
const NOT_SERIES = new Set(['kind', 'cell', 'time', 'timestamp']);

/** Event kinds that the inspector draws rather than the curves. */
export const INSPECTOR_KINDS = new Set(['gradient-mass']);

export function seriesOf(event: MetricEvent): string {
  const parts: string[] = [];
  if (typeof event.cell === 'string') parts.push(event.cell);
  for (const [k, v] of Object.entries(event)) if (!NOT_SERIES.has(k) && typeof v === 'string' && toNumber(v) === undefined) parts.push(`${k} ${v}`);
  return parts.length > 0 ? parts.join(', ') : 'run';
}

export interface Curves {
  /** "<kind> <field>" -> points, in first-seen order. */
  byMetric: Map<string, CurvePoint[]>;
  /** Events without a step: kind, series and their numeric fields. */
  finals: { kind: string; series: string; values: Record<string, number> }[];
}

export function emptyCurves(): Curves {
  return { byMetric: new Map(), finals: [] };
}

/** Adds events to `curves` (in place, so a live run appends without recomputing). */
export function addEvents(curves: Curves, events: readonly unknown[]): void {
  for (const raw of events) {
    if (typeof raw !== 'object' || raw === null) continue;
    const event = raw as MetricEvent;
    const kind = typeof event.kind === 'string' ? event.kind : 'event';
    if (INSPECTOR_KINDS.has(kind)) continue;
    const series = seriesOf(event);
    const step = toNumber(event.step);
    const values: Record<string, number> = {};
    for (const [field, v] of Object.entries(event)) {
      if (NOT_METRICS.has(field)) continue;
      const n = toNumber(v);
      if (n !== undefined) values[field] = n;
    }
    if (step === undefined) {
      if (Object.keys(values).length > 0) curves.finals.push({ kind, series, values });
      continue;
    }
    for (const [field, value] of Object.entries(values)) {
      const metric = `${kind} ${field}`;
      let points = curves.byMetric.get(metric);
      if (!points) curves.byMetric.set(metric, (points = []));
      points.push({ series, step, value });
    }
  }
}

export function curvesFromEvents(events: readonly unknown[]): Curves {
  const curves = emptyCurves();
  addEvents(curves, events);
  return curves;
}

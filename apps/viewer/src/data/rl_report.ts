// An rl report (`routelab run rl`, `routelab compare --experiment rl`: report.json with `experiment: "rl"` and
// `summaries`) as the viewer shows it: a table of the deployed policy per arm (each metric's mean and 95%
// interval over seeds, clipped to [0, 1] since every rl metric is a rate or a reward, and the seed-paired
// difference from none), and the held-out curves against RL step, one series per arm (mean over seeds).

import { RL_TABLE_COLUMNS } from '@routelab/persona';

/** The report's deployed metrics in the table's column order, with their headers (shared with the cli table and the chart). */
export const RL_COLUMNS = RL_TABLE_COLUMNS;

export interface RlInterval {
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

export interface RlTableRow {
  arm: string;
  seeds: number;
  /** By metric name; null where the report has no interval. */
  values: Record<string, RlInterval | null>;
  /** By metric name: this arm minus none, paired by seed; absent for none. `significant`: its interval excludes 0. */
  paired?: Record<string, (RlInterval & { significant: boolean }) | null>;
}

export interface RlView {
  arms: string[];
  rows: RlTableRow[];
  /** series = arm, for the viewer's curve charts. */
  hackCurve: { series: string; step: number; value: number }[];
  trueCurve: { series: string; step: number; value: number }[];
  check: { name: string; note: string; met: boolean | null } | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const clip = (x: number) => Math.min(1, Math.max(0, x));

function interval(v: unknown, bounded: boolean): RlInterval | null {
  if (!isObject(v) || !num(v.mean)) return null;
  const [lo, hi] = num(v.lo) && num(v.hi) ? [v.lo, v.hi] : [v.mean, v.mean];
  const n = num(v.n) ? v.n : 1;
  return bounded ? { mean: clip(v.mean), lo: clip(lo), hi: clip(hi), n } : { mean: v.mean, lo, hi, n };
}

/** Whether a report.json is an rl report the viewer can show. */
export function isRlReport(report: unknown): boolean {
  return isObject(report) && report.experiment === 'rl' && Array.isArray(report.summaries);
}

export function rlView(report: unknown): RlView | null {
  if (!isRlReport(report)) return null;
  const r = report as { summaries: unknown[]; check?: unknown };
  const rows: RlTableRow[] = [];
  const hackCurve: RlView['hackCurve'] = [];
  const trueCurve: RlView['trueCurve'] = [];
  for (const s of r.summaries) {
    if (!isObject(s) || typeof s.arm !== 'string') continue;
    const arm = s.arm;
    const metrics = isObject(s.metrics) ? s.metrics : {};
    const values = Object.fromEntries(RL_COLUMNS.map(({ metric }) => [metric, interval(isObject(metrics[metric]) ? metrics[metric].interval : null, true)]));
    const row: RlTableRow = { arm, seeds: Array.isArray(s.seeds) ? s.seeds.length : 0, values };
    if (isObject(s.pairedVsNone)) {
      const paired = s.pairedVsNone;
      row.paired = Object.fromEntries(
        RL_COLUMNS.map(({ metric }) => {
          // A difference of two [0, 1] quantities lies in [-1, 1]: its interval is clipped to that.
          const d = interval(paired[metric], false);
          const bound = (x: number) => Math.min(1, Math.max(-1, x));
          return [metric, d ? { mean: d.mean, lo: bound(d.lo), hi: bound(d.hi), n: d.n, significant: d.n > 1 && d.lo !== d.hi && (d.lo > 0 || d.hi < 0) } : null];
        }),
      );
    }
    rows.push(row);
    for (const p of Array.isArray(s.curve) ? s.curve : []) {
      if (!isObject(p) || !num(p.step)) continue;
      if (num(p.hack)) hackCurve.push({ series: arm, step: p.step, value: p.hack });
      if (num(p.true)) trueCurve.push({ series: arm, step: p.step, value: p.true });
    }
  }
  const c = isObject(r.check) ? r.check : undefined;
  const check = c && typeof c.name === 'string' && typeof c.note === 'string' ? { name: c.name, note: c.note, met: typeof c.met === 'boolean' ? c.met : null } : null;
  return { arms: rows.map((row) => row.arm), rows, hackCurve, trueCurve, check };
}

// The few numbers the runs table shows per run, taken from report.json. Each experiment declares them in its
// report (`keyMetrics: { name: number | boolean | Interval | null }`, an Interval shown as its mean; persona and
// mnist-split name theirs); nothing here knows an experiment's report shape. A report without the field (an
// older run, a new experiment) shows a summary of its rows when it is a table of arms, else its first numeric
// leaves, so it still shows something.
import type { KeyMetricValue } from './api_types.ts';

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An Interval ({ mean, lo, hi, ... }) reads as its mean. */
function scalarOf(v: Json): KeyMetricValue | undefined {
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  // Non-finite numbers are written as strings by the run infrastructure.
  if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return v;
  if (isObject(v) && typeof v.mean === 'number' && ('lo' in v || 'halfWidth' in v)) return v.mean;
  return undefined;
}

const MAX_METRICS = 6;
/** Leaves that identify rather than measure. */
const SKIP_KEYS = new Set(['seed', 'baseSeed', 'runSeed', 'formatVersion', 'n', 'index', 'std', 'lo', 'hi', 'halfWidth']);

/** A compare report (rows of arm x condition x metric): how much it holds. */
function compareRows(report: Record<string, Json>): Record<string, KeyMetricValue> | undefined {
  const rows = report.rows;
  if (!Array.isArray(rows)) return undefined;
  const field = (k: string) => new Set(rows.map((r: Json) => (isObject(r) ? r[k] : undefined)).filter((v) => typeof v === 'string')).size;
  return { arms: field('arm'), conditions: field('condition'), metrics: field('metric'), rows: rows.length };
}

/** Depth-first numeric leaves (Intervals as their means), dotted paths, at most `limit`. */
export function numericLeaves(value: Json, limit = MAX_METRICS): Record<string, KeyMetricValue> {
  const out: Record<string, KeyMetricValue> = {};
  const walk = (v: Json, path: string[], depth: number): void => {
    if (Object.keys(out).length >= limit || depth > 5) return;
    const scalar = scalarOf(v);
    if (scalar !== undefined && path.length > 0) {
      if (!SKIP_KEYS.has(path[path.length - 1]!)) out[path.join('.')] = scalar;
      return;
    }
    if (Array.isArray(v)) v.slice(0, 8).forEach((item, i) => walk(item, [...path, String(i)], depth + 1));
    else if (isObject(v)) for (const [k, item] of Object.entries(v)) walk(item, [...path, k], depth + 1);
  };
  walk(value, [], 0);
  return out;
}

export function keyMetrics(report: Json): Record<string, KeyMetricValue> {
  if (!isObject(report)) return {};
  if (isObject(report.keyMetrics)) {
    const named: Record<string, KeyMetricValue> = {};
    for (const [k, v] of Object.entries(report.keyMetrics)) {
      const s = scalarOf(v);
      if (s !== undefined || v === null) named[k] = s ?? null;
    }
    return named;
  }
  return compareRows(report) ?? numericLeaves(report);
}

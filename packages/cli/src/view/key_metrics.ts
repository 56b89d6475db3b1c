// The few numbers the runs table shows per run, taken from report.json. A report may name them itself
// (`keyMetrics: { name: value }`); otherwise experiments with a known report shape get their headline numbers,
// and anything else its first numeric leaves, so a new experiment shows something before it is taught here.
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

function mnistSplit(report: Record<string, Json>): Record<string, KeyMetricValue> | undefined {
  if (!isObject(report.arms)) return undefined;
  const out: Record<string, KeyMetricValue> = {};
  for (const [arm, summary] of Object.entries(report.arms)) {
    const ratio = isObject(summary) && isObject(summary.certificateB) ? scalarOf(summary.certificateB.gapRatio) : undefined;
    if (ratio !== undefined) out[`${arm}: ratio b`] = ratio;
  }
  if (isObject(report.acceptance) && typeof report.acceptance.passed === 'boolean') out.acceptance = report.acceptance.passed;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Persona (and `routelab compare`'s merged report): the trained unwanted trait's rate under the neutral prompt, per arm. */
function persona(report: Record<string, Json>): Record<string, KeyMetricValue> | undefined {
  if (!isObject(report.results)) return undefined;
  const out: Record<string, KeyMetricValue> = {};
  for (const [arm, summary] of Object.entries(report.results)) {
    const conditions = isObject(summary) ? summary.conditions : undefined;
    const neutral = isObject(conditions) ? conditions.neutral : undefined;
    const u = isObject(neutral) ? scalarOf(neutral.U) : undefined;
    if (u !== undefined) out[`${arm}: U (neutral)`] = u;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A compare report (rows of arm x condition x metric): how much it holds. */
function compareRows(report: Record<string, Json>): Record<string, KeyMetricValue> | undefined {
  const rows = report.rows;
  if (!Array.isArray(rows)) return undefined;
  const field = (k: string) => new Set(rows.map((r: Json) => (isObject(r) ? r[k] : undefined)).filter((v) => typeof v === 'string')).size;
  return { arms: field('arm'), conditions: field('condition'), metrics: field('metric'), rows: rows.length };
}

const BY_EXPERIMENT: Record<string, (report: Record<string, Json>) => Record<string, KeyMetricValue> | undefined> = {
  'mnist-split': mnistSplit,
  persona,
};

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

export function keyMetrics(experiment: string | undefined, report: Json): Record<string, KeyMetricValue> {
  if (!isObject(report)) return {};
  if (isObject(report.keyMetrics)) {
    const named: Record<string, KeyMetricValue> = {};
    for (const [k, v] of Object.entries(report.keyMetrics)) {
      const s = scalarOf(v);
      if (s !== undefined || v === null) named[k] = s ?? null;
    }
    return named;
  }
  const reportExperiment = typeof report.experiment === 'string' ? report.experiment : undefined;
  const extractor = BY_EXPERIMENT[experiment ?? reportExperiment ?? ''] ?? (reportExperiment ? BY_EXPERIMENT[reportExperiment] : undefined);
  const known = compareRows(report) ?? extractor?.(report);
  return known ?? numericLeaves(report);
}

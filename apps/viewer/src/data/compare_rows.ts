// Any report with arms, as rows (arm, condition, metric, mean, 95% interval) for the Compare page.
//
// The `routelab compare` report is expected to carry them directly:
//   { "format": "routelab.compare", "experiment": "persona",
//     "rows": [{ "arm": "ip-specific", "condition": "neutral", "metric": "U", "mean": 0.1, "lo": 0.05, "hi": 0.15, "n": 3 }] }
// (a row may instead hold several metrics as Intervals: { "arm", "condition", "U": { mean, lo, hi, n }, ... }).
// Reports that keep arms as a tree are read too: persona's (and so `routelab compare`'s merged report:
// `arms: [ids], results: { <arm>: { conditions: { <condition>: { U: Interval, ... } }, retainLoss, ... } },
// pairedVsNone: { <arm>: same shape, differences from none }`) and mnist-split's (`arms: { <arm>: {...} }`).
// Every Interval ({ mean, lo, hi } or { mean, halfWidth }) below an arm is a metric named by its path; a path
// segment that names a prompt condition is taken as the condition, and a `conditions` segment is dropped.
// An rl report (`experiment: "rl"`) keeps its arms as `summaries` (see fromRlSummaries).

/** The evaluation conditions (system prompts) of @routelab/persona's EVAL_CONDITIONS, in its order. */
export const CONDITIONS = ['neutral', 'inoculation', 'irrelevant', 'negated'] as const;

export interface CompareRow {
  arm: string;
  condition: string | null;
  metric: string;
  mean: number;
  lo: number;
  hi: number;
  n?: number;
}

export interface CompareTable {
  rows: CompareRow[];
  /** Seed-paired differences from a baseline arm (persona: `none`), keyed like the rows. */
  paired: (CompareRow & { significant?: boolean })[];
  /** The arm the paired differences are taken against. */
  baseline: string | null;
  arms: string[];
  metrics: string[];
  /** Conditions present, known ones first in CONDITIONS order; empty when rows have none. */
  conditions: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const SKIP = new Set(['perSeed', 'perDigit', 'paper', 'statements', 'acceptance', 'config', 'curve', 'seeds', 'prior', 'checks', 'timing']);
/** Containers whose name adds nothing to a metric's name. */
const TRANSPARENT = new Set(['conditions', 'overall']);

function interval(v: unknown): (Omit<CompareRow, 'arm' | 'condition' | 'metric'> & { significant?: boolean }) | undefined {
  if (!isObject(v) || typeof v.mean !== 'number') return undefined;
  const mean = v.mean;
  const hw = typeof v.halfWidth === 'number' ? v.halfWidth : undefined;
  const lo = typeof v.lo === 'number' ? v.lo : hw !== undefined ? mean - hw : undefined;
  const hi = typeof v.hi === 'number' ? v.hi : hw !== undefined ? mean + hw : undefined;
  if (lo === undefined || hi === undefined) return undefined;
  return { mean, lo, hi, ...(typeof v.n === 'number' ? { n: v.n } : {}), ...(typeof v.significant === 'boolean' ? { significant: v.significant } : {}) };
}

function fromRowsArray(rows: unknown[]): CompareRow[] {
  const out: CompareRow[] = [];
  for (const r of rows) {
    if (!isObject(r)) continue;
    const arm = typeof r.arm === 'string' ? r.arm : typeof r.name === 'string' ? r.name : undefined;
    if (!arm) continue;
    const condition = typeof r.condition === 'string' ? r.condition : null;
    if (typeof r.metric === 'string') {
      const i = interval(r) ?? (typeof r.mean === 'number' ? { mean: r.mean, lo: r.mean, hi: r.mean } : undefined);
      if (i) out.push({ arm, condition, metric: r.metric, ...i });
      continue;
    }
    for (const [metric, v] of Object.entries(r)) {
      const i = interval(v);
      if (i) out.push({ arm, condition, metric, ...i });
    }
  }
  return out;
}

function fromArmTree(arm: string, tree: unknown): (CompareRow & { significant?: boolean })[] {
  const out: (CompareRow & { significant?: boolean })[] = [];
  const walk = (v: unknown, path: string[], condition: string | null, depth: number): void => {
    if (depth > 6) return;
    const i = interval(v);
    if (i && path.length > 0) {
      out.push({ arm, condition, metric: path.join('.'), ...i });
      return;
    }
    if (!isObject(v)) return;
    for (const [k, child] of Object.entries(v)) {
      if (SKIP.has(k)) continue;
      const isCondition = (CONDITIONS as readonly string[]).includes(k) && condition === null;
      walk(child, isCondition || TRANSPARENT.has(k) ? path : [...path, k], isCondition ? k : condition, depth + 1);
    }
  };
  walk(tree, [], null, 0);
  return out;
}

/**
 * An rl report's summaries (`summaries: [{ arm, metrics: { "hack rate (neutral)": { interval } }, pairedVsNone }]`):
 * a metric named "<quantity> (neutral)" is that quantity under the neutral prompt, and "(inoculation prompt
 * re-added)" under the arm's inoculation prompt, so the condition switch reads them like the persona conditions.
 */
function fromRlSummaries(summaries: unknown[]): { rows: CompareRow[]; paired: CompareTable['paired'] } {
  const rows: CompareRow[] = [];
  const paired: CompareTable['paired'] = [];
  const split = (name: string): [string, string | null] => {
    const m = /^(.*) \((neutral|inoculation prompt re-added)\)$/.exec(name);
    return m ? [m[1]!, m[2] === 'neutral' ? 'neutral' : 'inoculation'] : [name, null];
  };
  for (const s of summaries) {
    if (!isObject(s) || typeof s.arm !== 'string') continue;
    for (const [name, summary] of Object.entries(isObject(s.metrics) ? s.metrics : {})) {
      const i = interval(isObject(summary) ? summary.interval : undefined);
      const [metric, condition] = split(name);
      // Every rl metric is a rate or a reward in [0, 1]; the report keeps the raw t-interval.
      const clip = (x: number) => Math.min(1, Math.max(0, x));
      if (i) rows.push({ arm: s.arm, condition, metric, ...i, mean: clip(i.mean), lo: clip(i.lo), hi: clip(i.hi) });
    }
    for (const [name, diff] of Object.entries(isObject(s.pairedVsNone) ? s.pairedVsNone : {})) {
      const i = interval(diff);
      const [metric, condition] = split(name);
      // A difference of two [0, 1] quantities lies in [-1, 1]: its interval is clipped to that.
      const bound = (x: number) => Math.min(1, Math.max(-1, x));
      if (i) paired.push({ arm: s.arm, condition, metric, ...i, lo: bound(i.lo), hi: bound(i.hi), significant: (i.n ?? 0) > 1 && i.lo !== i.hi && (i.lo > 0 || i.hi < 0) });
    }
  }
  return { rows, paired };
}

const strip = ({ significant: _s, ...row }: CompareRow & { significant?: boolean }): CompareRow => row;

export function compareTable(report: unknown): CompareTable {
  let rows: CompareRow[] = [];
  let paired: CompareTable['paired'] = [];
  let order: string[] = [];
  if (isObject(report)) {
    if (Array.isArray(report.arms)) order = report.arms.filter((a): a is string => typeof a === 'string');
    const tree = (v: unknown) => (isObject(v) ? Object.entries(v).flatMap(([arm, t]) => fromArmTree(arm, t)) : []);
    if (report.experiment === 'rl' && Array.isArray(report.summaries)) ({ rows, paired } = fromRlSummaries(report.summaries));
    else if (Array.isArray(report.rows)) rows = fromRowsArray(report.rows);
    else if (isObject(report.results)) rows = tree(report.results).map(strip);
    else if (isObject(report.arms)) rows = tree(report.arms).map(strip);
    else if (Array.isArray(report.arms)) rows = fromRowsArray(report.arms);
    if (report.experiment !== 'rl') paired = tree(report.pairedVsNone);
  }
  const seen = [...new Set(rows.map((r) => r.arm))];
  const arms = [...order.filter((a) => seen.includes(a)), ...seen.filter((a) => !order.includes(a))];
  const rank = new Map(arms.map((a, i) => [a, i]));
  rows.sort((a, b) => rank.get(a.arm)! - rank.get(b.arm)!);
  const metrics = [...new Set(rows.map((r) => r.metric))];
  const present = new Set(rows.map((r) => r.condition).filter((c): c is string => c !== null));
  const conditions = [...CONDITIONS.filter((c) => present.has(c)), ...[...present].filter((c) => !(CONDITIONS as readonly string[]).includes(c))];
  return { rows, paired, baseline: paired.length > 0 ? 'none' : null, arms, metrics, conditions };
}

/** The paired difference from the baseline for a row, when the report has one. */
export function pairedFor(table: CompareTable, row: Pick<CompareRow, 'arm' | 'condition' | 'metric'>): (CompareRow & { significant?: boolean }) | undefined {
  return table.paired.find((p) => p.arm === row.arm && p.condition === row.condition && p.metric === row.metric);
}

/** The rows of one metric under one condition (null: rows without a condition), in arm order. */
export function rowsFor(table: CompareTable, metric: string, condition: string | null): CompareRow[] {
  return table.rows.filter((r) => r.metric === metric && r.condition === condition);
}

// One cell's result file, as far as the inspector shows it: its evaluation under each prompt condition after
// ablation (what is deployed) and before it, its held-out losses, and where its forget-class gradient went
// (`gradientLeak`: the share of the forget and unlabelled classes' gradient mass outside the ablated region,
// averaged over the gradient-mass snapshots, and the forget mass per parameter group). The result of a cell
// is found by its content (`arm` and `seed` fields), not by a file-name convention.
import { toNumber } from '../app/format.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface CellEvaluation {
  /** condition -> metric -> rate. */
  eval: Record<string, Record<string, number>>;
  losses: Record<string, number>;
}

export interface GradientLeak {
  region: string[];
  forgetShareOutside: number | undefined;
  unlabelledShareOutside: number | undefined;
  /** Forget-class mass per parameter group, summed over snapshots, largest first. */
  forgetByGroup: { group: string; mass: number; share: number }[];
  snapshots: number | undefined;
}

export interface CellResultView {
  name: string;
  arm: string;
  seed: number;
  scheme?: string;
  after: CellEvaluation;
  before?: CellEvaluation;
  leak?: GradientLeak;
}

function evaluation(v: Record<string, unknown>): CellEvaluation | undefined {
  if (!isObject(v.eval)) return undefined;
  const out: CellEvaluation = { eval: {}, losses: {} };
  for (const [cond, rates] of Object.entries(v.eval)) {
    if (!isObject(rates)) continue;
    const numbers: Record<string, number> = {};
    for (const [k, r] of Object.entries(rates)) {
      const n = toNumber(r);
      if (n !== undefined) numbers[k] = n;
    }
    out.eval[cond] = numbers;
  }
  for (const k of ['retainLoss', 'forgetLoss']) {
    const n = toNumber(v[k]);
    if (n !== undefined) out.losses[k] = n;
  }
  return out;
}

function leakOf(v: unknown): GradientLeak | undefined {
  if (!isObject(v)) return undefined;
  const byGroup = isObject(v.forgetByGroup) ? Object.entries(v.forgetByGroup).flatMap(([group, m]) => (typeof m === 'number' ? [{ group, mass: m }] : [])) : [];
  const total = byGroup.reduce((a, g) => a + g.mass, 0);
  return {
    region: Array.isArray(v.region) ? v.region.filter((r): r is string => typeof r === 'string') : [],
    forgetShareOutside: toNumber(v.forgetShareOutside),
    unlabelledShareOutside: toNumber(v.unlabelledShareOutside),
    forgetByGroup: byGroup.map((g) => ({ ...g, share: total > 0 ? g.mass / total : 0 })).sort((a, b) => b.mass - a.mass),
    snapshots: toNumber(v.snapshots),
  };
}

/** A result the inspector's cell table shows (an arm's, seed's evaluation). */
export function isCellResult(json: unknown): json is Record<string, unknown> & { arm: string; seed: number; eval: Record<string, unknown> } {
  return isObject(json) && typeof json.arm === 'string' && typeof json.seed === 'number' && isObject(json.eval);
}

/** The cell result of `<arm>/seed-<seed>` among a run's result files (name -> parsed JSON), if one is there. */
export function cellResult(results: ReadonlyMap<string, unknown>, cell: string | undefined): CellResultView | undefined {
  if (cell === undefined) return undefined;
  const [arm, seedPart] = cell.split('/');
  const seed = seedPart?.startsWith('seed-') ? Number(seedPart.slice('seed-'.length)) : Number.NaN;
  for (const [name, json] of results) {
    if (!isCellResult(json) || json.arm !== arm || json.seed !== seed) continue;
    const after = evaluation(json);
    if (!after) continue;
    const before = isObject(json.beforeAblation) ? evaluation(json.beforeAblation) : undefined;
    const leak = leakOf(json.gradientLeak);
    return { name, arm: arm!, seed, ...(typeof json.scheme === 'string' ? { scheme: json.scheme } : {}), after, ...(before ? { before } : {}), ...(leak ? { leak } : {}) };
  }
  return undefined;
}

/** The metrics to tabulate: those the report declares (`metrics: [...]`), else every one the evaluation has. */
export function metricsToShow(report: unknown, view: CellResultView): string[] {
  if (isObject(report) && Array.isArray(report.metrics) && report.metrics.every((m) => typeof m === 'string')) return report.metrics as string[];
  return [...new Set(Object.values(view.after.eval).flatMap((r) => Object.keys(r)))];
}

// `routelab compare --oversight 1,0.5,0.1 [--label-noise 0,0.1]`: partial and noisy oversight as an axis of the
// comparison, for filtering and routing alike. Every arm that reads the overseer's labels (a routing scheme,
// or the filter data arm) gets one variant per (label fraction, label noise) point other than its own, as a
// plain arm definition (`era_lf0.5_ln0.1`) beside it; arms that read no labels (none, the inoculation arms) are
// not repeated, since their cells would be identical.
import { UsageError } from '../errors.ts';

interface ArmDef {
  data: string;
  scheme?: string;
  oversight?: { labelFraction?: number; labelNoise?: number; placebo?: boolean };
  [key: string]: unknown;
}

export function parseFractions(flag: string, text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  const bad = parts.filter((p, i) => p === '' || !(values[i]! >= 0 && values[i]! <= 1));
  if (bad.length > 0 || parts.length === 0) throw new UsageError(`${flag}: expected comma-separated fractions in [0, 1], got "${text}"`);
  return [...new Set(values)];
}

const readsLabels = (def: ArmDef) => (def.scheme !== undefined && def.scheme !== 'none') || def.data === 'filter';

/** Extra arm definitions and the arm list with each variant right after its arm. */
export function oversightVariants(
  arms: readonly string[],
  definitions: Readonly<Record<string, ArmDef>>,
  defaultOversight: { labelFraction: number; labelNoise: number },
  fractions: readonly number[] | undefined,
  noises: readonly number[] | undefined,
): { arms: string[]; armDefinitions: Record<string, ArmDef> } {
  if (!fractions && !noises) return { arms: [...arms], armDefinitions: {} };
  const out: string[] = [];
  const extra: Record<string, ArmDef> = {};
  for (const name of arms) {
    out.push(name);
    const def = definitions[name]!;
    if (!readsLabels(def)) continue;
    const own = { ...defaultOversight, ...def.oversight };
    for (const labelFraction of fractions ?? [own.labelFraction]) {
      for (const labelNoise of noises ?? [own.labelNoise]) {
        if (labelFraction === own.labelFraction && labelNoise === own.labelNoise) continue;
        const variant = `${name}_lf${labelFraction}${noises ? `_ln${labelNoise}` : ''}`;
        extra[variant] = { ...def, oversight: { ...def.oversight, labelFraction, labelNoise }, description: `${String(def['description'] ?? name)} (label fraction ${labelFraction}, label noise ${labelNoise})` };
        out.push(variant);
      }
    }
  }
  return { arms: out, armDefinitions: extra };
}

interface RlArmDef {
  flagged?: string;
  scheme?: string;
  earlyStopping?: unknown;
  oversight?: { recall?: number; falsePositiveRate?: number };
  [key: string]: unknown;
}

/** What an rl arm does, as text: its definition with the monitor in force filled in, keys sorted, the description left out. */
function armIdentity(def: RlArmDef, monitor: { recall: number; falsePositiveRate: number }): string {
  const sorted = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;
  const { description: _description, ...rest } = def;
  return JSON.stringify(sorted({ ...rest, oversight: { ...monitor, ...def.oversight } }));
}

/** An rl arm reads the monitor when it penalises or drops flagged rollouts, routes the flagged tokens, or stops early by it. */
const readsMonitor = (def: RlArmDef) =>
  (def.flagged !== undefined && def.flagged !== 'keep') || (def.scheme !== undefined && def.scheme !== 'none') || def.earlyStopping !== undefined;

/**
 * The rl experiment's oversight axis (`compare --experiment rl --oversight 1,0.1,0.01`): every arm that reads
 * the monitor gets one variant per monitor recall other than its own (`era-recall-0.1`, named as the rl
 * experiment names its own recall arms: `oversight.recall` 0.1, its false-positive rate kept), right after it;
 * a variant that some arm in the list already is (the same definition, its description aside: `era-recall-0.5`
 * at recall 0.1 is `era-recall-0.1`) is not added, and arms that ignore the monitor are not repeated.
 */
export function rlOversightVariants(
  arms: readonly string[],
  definitions: Readonly<Record<string, RlArmDef>>,
  monitor: { recall: number; falsePositiveRate: number },
  recalls: readonly number[] | undefined,
): { arms: string[]; armDefinitions: Record<string, RlArmDef> } {
  if (!recalls) return { arms: [...arms], armDefinitions: {} };
  const out: string[] = [];
  const extra: Record<string, RlArmDef> = {};
  const present = new Set(arms.map((a) => armIdentity(definitions[a]!, monitor)));
  for (const name of arms) {
    out.push(name);
    const def = definitions[name]!;
    if (!readsMonitor(def)) continue;
    const own = { ...monitor, ...def.oversight };
    for (const recall of recalls) {
      const variant = `${name}-recall-${recall}`;
      const variantDef = { ...def, oversight: { ...own, recall }, description: `${String(def['description'] ?? name)} (monitor recall ${recall})` };
      const identity = armIdentity(variantDef, monitor);
      if (present.has(identity) || arms.includes(variant) || out.includes(variant)) continue;
      present.add(identity);
      extra[variant] = variantDef;
      out.push(variant);
    }
  }
  return { arms: out, armDefinitions: extra };
}

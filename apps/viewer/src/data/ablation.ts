// Metrics before and after ablation, from a report or a result file.
//  - Generic: any object holding a "before"-like and an "after"-like entry (before/after, unablated/ablated,
//    beforeAblation/afterAblation, pre/post), each a number, an Interval or a tree of them. An object with a
//    `beforeAblation` entry and no "after" one (persona's cell results and arm summaries) is itself the after:
//    its entries named like those inside beforeAblation are compared with them.
//  - MNIST split: the autoencoder reads the whole code; certificate a reads only half a (half b ablated) and
//    certificate b only half b, so the per-arm certificate errors are the "after ablation" numbers.
import { toNumber } from '../app/format.ts';

export interface AblationRow {
  /** Where the pair was found, e.g. "cells.era.eval". */
  where: string;
  metric: string;
  before: number | undefined;
  after: number | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const BEFORE = /^(before|unablated|pre)(ablation)?$|^beforeAblation$|^noAblation$/i;
const AFTER = /^(after|ablated|post)(ablation)?$|^afterAblation$|^withAblation$/i;

/** Counts and interval parts, not measurements. */
const NOT_METRICS = new Set(['n', 'std', 'halfWidth', 'lo', 'hi', 'seed', 'steps', 'step']);

function leaves(v: unknown, path: string[] = [], out = new Map<string, number>(), depth = 0): Map<string, number> {
  if (depth > 5 || NOT_METRICS.has(path.at(-1) ?? '')) return out;
  const n = toNumber(v);
  if (n !== undefined) {
    out.set(path.join('.') || 'value', n);
    return out;
  }
  if (isObject(v)) {
    if (typeof v.mean === 'number' && ('lo' in v || 'halfWidth' in v)) {
      out.set(path.join('.') || 'value', v.mean);
      return out;
    }
    for (const [k, child] of Object.entries(v)) leaves(child, [...path, k], out, depth + 1);
  }
  return out;
}

export function ablationPairs(json: unknown, limit = 200): AblationRow[] {
  const rows: AblationRow[] = [];
  const walk = (v: unknown, path: string[], depth: number): void => {
    if (depth > 8 || rows.length >= limit) return;
    if (Array.isArray(v)) return v.forEach((item, i) => walk(item, [...path, String(i)], depth + 1));
    if (!isObject(v)) return;
    const keys = Object.keys(v);
    const b = keys.find((k) => BEFORE.test(k));
    const a = keys.find((k) => AFTER.test(k));
    const implicitAfter = b !== undefined && a === undefined && isObject(v[b]) ? Object.keys(v[b]).filter((k) => k in v) : [];
    if (b !== undefined && (a !== undefined || implicitAfter.length > 0)) {
      const before = leaves(v[b]);
      const after = leaves(a !== undefined ? v[a] : Object.fromEntries(implicitAfter.map((k) => [k, v[k]])));
      for (const metric of new Set([...before.keys(), ...after.keys()])) {
        rows.push({ where: path.join('.') || '(report)', metric, before: before.get(metric), after: after.get(metric) });
      }
    }
    for (const [k, child] of Object.entries(v)) if (k !== a && k !== b) walk(child, [...path, k], depth + 1);
  };
  walk(json, [], 0);
  return rows.slice(0, limit);
}

export interface HalfReadoutRow {
  arm: string;
  readout: string;
  forget: number;
  retain: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** MNIST split: per arm, test MAE on forget and retain digits read from the whole code and from each half. */
export function halfReadouts(report: unknown): { rows: HalfReadoutRow[]; forgetLabel: string; retainLabel: string } | undefined {
  if (!isObject(report) || !isObject(report.arms) || !isObject(report.digits)) return undefined;
  const forget = Array.isArray(report.digits.forget) ? (report.digits.forget as number[]) : [];
  const retain = Array.isArray(report.digits.retain) ? (report.digits.retain as number[]) : [];
  if (forget.length === 0 || retain.length === 0) return undefined;
  const rows: HalfReadoutRow[] = [];
  const group = (perDigit: unknown, digits: number[]) =>
    Array.isArray(perDigit) ? mean(digits.map((d) => toNumber(perDigit[d]) ?? NaN)) : NaN;
  for (const [arm, s] of Object.entries(report.arms)) {
    if (!isObject(s) || !isObject(s.perDigit)) continue;
    const pd = s.perDigit;
    rows.push({ arm, readout: 'autoencoder (whole code)', forget: group(pd.autoencoder, forget), retain: group(pd.autoencoder, retain) });
    rows.push({ arm, readout: 'certificate a (half a only)', forget: group(pd.certificateA, forget), retain: group(pd.certificateA, retain) });
    rows.push({ arm, readout: 'certificate b (half b only)', forget: group(pd.certificateB, forget), retain: group(pd.certificateB, retain) });
  }
  const label = (ds: number[]) => `digits ${ds.join(',')}`;
  return rows.length > 0 ? { rows, forgetLabel: label(forget), retainLabel: label(retain) } : undefined;
}

// Where a run's config says each label class's gradient should go, as outlines for the inspector's heatmaps.
// The cell's arm names its scheme and scheme config (persona: `armDefinitions[arm]`; mnist-split: an entry of
// `arms`, defaulting to `routingScheme` / `routingConfig`). That config is parsed with the routing package's
// own schemas (a built-in scheme's configSchema; for a plugin scheme the viewer cannot load, only the shared
// `ablate` phase) and parameter names are matched with its name patterns, so the viewer reads a config exactly
// as training read it. What comes out:
//   - the routed region: parameters (with slices) that the scheme ablates after training, plus those parameter
//     routing lets the forget class update when its default is 0: where forget gradient should go;
//   - activation regions (activation routing) and ERA unit ranges, on a hook point's last axis.
import {
  getScheme, matchesPattern, phasesConfigShape, schemeIds, type EraTarget, type HookRoute, type ParamClassMask, type ParamSlice,
} from '@routelab/routing';
import type { HeatmapRegion } from '../charts/heatmap.ts';
import type { Segment } from './gradient_mass.ts';

type Range = [number, number];

/** Parameter patterns (with their slices) in the routed region, and where each came from. */
export interface RegionPattern {
  pattern: string;
  slices: ParamSlice[];
  source: 'ablate' | 'forget slice';
}

export interface RoutingDeclaration {
  /** The cell's arm, when the config has arms. */
  arm?: string;
  /** The scheme id when known. */
  scheme?: string;
  /** Why there is nothing to outline, when there is not. */
  note?: string;
  activation: HookRoute[];
  /** ERA unit-range targets: the extra units on a hook point's last axis. */
  unitRanges: { hook: string; expanded: Range }[];
  /** ERA original/expanded contribution-hook pairs (named in the outline's caption). */
  contributionPairs: { original: string; expanded: string }[];
  region: RegionPattern[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const empty = (over: Partial<RoutingDeclaration>): RoutingDeclaration => ({ activation: [], unitRanges: [], contributionPairs: [], region: [], ...over });

/** Schemes that route nothing (their cells get no outline). */
const NON_ROUTING = new Set(['none', 'filter']);

/** The arm of a cell (`<arm>/seed-<s>`) with its scheme id and scheme config, as the run's config declares them. */
export function armOf(config: unknown, cell: string | undefined): { arm?: string; scheme?: string; schemeConfig?: unknown } {
  if (!isObject(config)) return {};
  const defaultScheme = typeof config.routingScheme === 'string' ? config.routingScheme : undefined;
  const armName = cell?.split('/')[0];
  let arm: Record<string, unknown> | undefined;
  if (armName !== undefined && isObject(config.armDefinitions) && isObject(config.armDefinitions[armName])) arm = config.armDefinitions[armName];
  if (!arm && armName !== undefined && Array.isArray(config.arms)) arm = config.arms.find((a): a is Record<string, unknown> => isObject(a) && a.name === armName);
  if (!arm) return defaultScheme ? { scheme: defaultScheme, schemeConfig: config.routingConfig } : {};
  const scheme = typeof arm.scheme === 'string' ? arm.scheme : defaultScheme;
  const schemeConfig = arm.schemeConfig ?? (scheme !== undefined && scheme === defaultScheme ? config.routingConfig : undefined);
  return { arm: armName, ...(scheme !== undefined ? { scheme } : {}), ...(schemeConfig !== undefined ? { schemeConfig } : {}) };
}

function issuesText(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(config)'}: ${i.message}`).join('; ');
}

function forgetSlices(forget: ParamClassMask): RegionPattern[] {
  // With a non-zero default the forget class may update every parameter: no region to outline from it.
  if (forget.default !== 0) return [];
  return Object.entries(forget.params).flatMap(([pattern, slices]) => {
    const routed = slices.filter((s) => s.weight !== 0);
    return routed.length > 0 ? [{ pattern, slices: routed, source: 'forget slice' as const }] : [];
  });
}

/** Reads the fields a parsed built-in config may have; each is checked for by shape, since the schema said what it is. */
function fromParsed(parsed: Record<string, unknown>): Omit<RoutingDeclaration, 'arm' | 'scheme' | 'note'> {
  const out = empty({});
  if (Array.isArray(parsed.hooks)) out.activation = parsed.hooks as HookRoute[];
  if (Array.isArray(parsed.targets)) {
    for (const t of parsed.targets as EraTarget[]) {
      if ('hook' in t) out.unitRanges.push({ hook: t.hook, expanded: t.expanded as Range });
      else out.contributionPairs.push({ original: t.original, expanded: t.expanded });
    }
  }
  if (isObject(parsed.ablate)) {
    for (const [pattern, slices] of Object.entries(parsed.ablate as Record<string, ParamSlice[]>)) out.region.push({ pattern, slices, source: 'ablate' });
  }
  if (isObject(parsed.forget) && isObject(parsed.forget.params)) out.region.push(...forgetSlices(parsed.forget as ParamClassMask));
  return out;
}

export function routingFor(config: unknown, cell: string | undefined): RoutingDeclaration {
  const { arm, scheme, schemeConfig } = armOf(config, cell);
  const named = { ...(arm !== undefined ? { arm } : {}), ...(scheme !== undefined ? { scheme } : {}) };
  if (scheme === undefined) return empty({ ...named, note: 'The run config declares no routing scheme for this cell.' });
  const who = arm !== undefined ? `arm "${arm}"` : 'the run';
  if (NON_ROUTING.has(scheme)) return empty({ ...named, note: `${who} uses scheme "${scheme}", which routes nothing` });
  if (schemeIds().includes(scheme)) {
    const parsed = getScheme(scheme).configSchema.safeParse(schemeConfig ?? {});
    if (!parsed.success) return empty({ ...named, note: `${who}: scheme "${scheme}" config does not parse (${issuesText(parsed.error)})` });
    return { ...named, ...fromParsed(parsed.data as Record<string, unknown>) };
  }
  // A plugin scheme: its own schema is not loaded here, but the shared phases say what it ablates.
  const ablate = phasesConfigShape.ablate.safeParse(isObject(schemeConfig) ? schemeConfig.ablate : undefined);
  if (!ablate.success) return empty({ ...named, note: `${who}: scheme "${scheme}" config field ablate does not parse (${issuesText(ablate.error)})` });
  const region = Object.entries(ablate.data).map(([pattern, slices]) => ({ pattern, slices, source: 'ablate' as const }));
  return empty({
    ...named,
    region,
    ...(region.length === 0 ? { note: `${who} uses plugin scheme "${scheme}", whose config ablates nothing; the viewer cannot read its routing otherwise` } : {}),
  });
}

/** The region patterns that match a parameter name (empty: the parameter is outside the routed region). */
export function regionOf(routing: RoutingDeclaration, parameter: string): RegionPattern[] {
  return routing.region.filter((r) => matchesPattern(r.pattern, parameter));
}

const rangeLabel = (name: string, [from, to]: Range) => `${name} [${from}, ${to})`;

/** The columns (per-neuron entries) of a parameter in the region; undefined when a slice is by rows only. */
function regionColumns(matches: readonly RegionPattern[], neurons: number): Range[] | undefined {
  const ranges: Range[] = [];
  for (const m of matches) {
    for (const s of m.slices) {
      if (s.rows && !s.cols) return undefined;
      ranges.push((s.cols as Range | undefined) ?? [0, neurons]);
    }
  }
  return ranges;
}

/** How a parameter sits in the routed region, in words (for the parameter-block heatmap's rows). */
export function regionNote(routing: RoutingDeclaration, parameter: string): string | undefined {
  const matches = regionOf(routing, parameter);
  if (matches.length === 0) return undefined;
  const parts = matches.flatMap((m) =>
    m.slices.map((s) => [s.rows ? `rows [${s.rows.join(', ')})` : '', s.cols ? `cols [${s.cols.join(', ')})` : ''].filter(Boolean).join(' ') || 'whole'),
  );
  return `${[...new Set(matches.map((m) => m.source))].join(', ')}: ${[...new Set(parts)].join(', ')}`;
}

/**
 * Outlines for one parameter's per-neuron heatmap, per class. A declaration applies to a parameter when its
 * axis has as many entries as the parameter has neurons (an activation hook's regions end at its width, an
 * ERA unit range at the hook's), or when the routed region names the parameter (its columns). Unlabelled
 * units are routed as retain (see @routelab/routing's applyOversight).
 */
export function regionsForParameter(routing: RoutingDeclaration, parameter: string, neurons: number, classes: readonly string[]): HeatmapRegion[] {
  return regionsForSegments(routing, [{ parameter, from: 0, to: neurons }], classes);
}

export function regionsForSegments(routing: RoutingDeclaration, segments: readonly Segment[], classes: readonly string[]): HeatmapRegion[] {
  const out: HeatmapRegion[] = [];
  const routedAs = (cls: string): 'forget' | 'retain' => (cls === 'forget' ? 'forget' : 'retain');
  const width = segments.reduce((m, s) => Math.max(m, s.to), 0);
  if (segments.length === 1) {
    for (const a of routing.activation) {
      const ranges = Object.values(a.regions) as Range[];
      if (ranges.length === 0 || Math.max(...ranges.map(([, to]) => to)) !== width) continue;
      for (const cls of classes) {
        for (const [name, range] of Object.entries(a.regions) as [string, Range][]) {
          const weight = a[routedAs(cls)][name] ?? 1;
          out.push({ cls, from: range[0], to: range[1], label: weight !== 0 && weight !== 1 ? `${rangeLabel(name, range)} ×${weight}` : rangeLabel(name, range), routed: weight !== 0 });
        }
      }
    }
    for (const e of routing.unitRanges) {
      if (e.expanded[1] !== width) continue;
      for (const cls of classes) {
        const forget = routedAs(cls) === 'forget';
        out.push({ cls, from: e.expanded[0], to: e.expanded[1], label: rangeLabel('expanded', e.expanded), routed: forget });
        if (e.expanded[0] > 0) out.push({ cls, from: 0, to: e.expanded[0], label: rangeLabel('original', [0, e.expanded[0]]), routed: !forget });
      }
    }
  }
  // The routed region by parameter: forget is routed into it; retain and unlabelled train what stays (the rest).
  const inside: Range[] = [];
  for (const s of segments) {
    const cols = regionColumns(regionOf(routing, s.parameter), s.to - s.from);
    for (const [a, b] of cols ?? []) inside.push([s.from + a, s.from + Math.min(b, s.to - s.from)]);
  }
  if (inside.length > 0) {
    const rest = complement(inside, width);
    for (const cls of classes) {
      const forget = routedAs(cls) === 'forget';
      for (const r of merge(inside)) out.push({ cls, from: r[0], to: r[1], label: rangeLabel('routed region', r), routed: forget });
      for (const r of rest) out.push({ cls, from: r[0], to: r[1], label: rangeLabel('kept', r), routed: !forget });
    }
  }
  return out;
}

function merge(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function complement(ranges: readonly Range[], width: number): Range[] {
  const out: Range[] = [];
  let at = 0;
  for (const [a, b] of merge(ranges)) {
    if (a > at) out.push([at, a]);
    at = Math.max(at, b);
  }
  if (at < width) out.push([at, width]);
  return out;
}

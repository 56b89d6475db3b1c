// Where a run's config says each label class's gradient should go, as outlines for the inspector's heatmaps.
// Read from the config as declared (the routing package's mask specs): activation routing regions on a hook
// point's last axis, ERA's expanded units, and parameter routing's column slices. An experiment with arms
// (`arms: [{ name, scheme?, schemeConfig? }]`, cells named `<arm>/...`) routes each cell by its arm's scheme;
// otherwise every declaration found anywhere in the config applies.
import type { HeatmapRegion } from '../charts/heatmap.ts';

type Range = [number, number];

export interface ActivationDeclaration {
  hook: string;
  regions: Record<string, Range>;
  forget: Record<string, number>;
  retain: Record<string, number>;
}

export interface EraDeclaration {
  hook: string;
  expanded: Range;
}

export interface ParameterSlice {
  cls: 'forget' | 'retain';
  param: string;
  /** Columns (neurons of a [in, out] weight, entries of a vector); undefined = all. */
  cols?: Range;
  weight: number;
}

export interface RoutingDeclaration {
  /** The scheme id when known (from the cell's arm). */
  scheme?: string;
  /** Why there is nothing to outline, when there is not. */
  note?: string;
  activation: ActivationDeclaration[];
  era: EraDeclaration[];
  parameter: ParameterSlice[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isRange = (v: unknown): v is Range =>
  Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isInteger(x)) && (v[0] as number) < (v[1] as number);

function weights(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (isObject(v)) for (const [k, w] of Object.entries(v)) if (typeof w === 'number') out[k] = w;
  return out;
}

/** Every routing declaration anywhere under `value`. */
export function findDeclarations(value: unknown): Omit<RoutingDeclaration, 'scheme' | 'note'> {
  const found: Omit<RoutingDeclaration, 'scheme' | 'note'> = { activation: [], era: [], parameter: [] };
  const walk = (v: unknown, depth: number): void => {
    if (depth > 8) return;
    if (Array.isArray(v)) return v.forEach((item) => walk(item, depth + 1));
    if (!isObject(v)) return;
    if (typeof v.hook === 'string' && isObject(v.regions)) {
      const regions: Record<string, Range> = {};
      for (const [name, r] of Object.entries(v.regions)) if (isRange(r)) regions[name] = r;
      found.activation.push({ hook: v.hook, regions, forget: weights(v.forget), retain: weights(v.retain) });
      return;
    }
    if (typeof v.hook === 'string' && isRange(v.expanded)) {
      found.era.push({ hook: v.hook, expanded: v.expanded });
      return;
    }
    let isParameterRouting = false;
    for (const cls of ['forget', 'retain'] as const) {
      const spec = v[cls];
      if (!isObject(spec) || !isObject(spec.params)) continue;
      isParameterRouting = true;
      for (const [param, slices] of Object.entries(spec.params)) {
        if (!Array.isArray(slices)) continue;
        for (const s of slices) {
          if (!isObject(s)) continue;
          found.parameter.push({ cls, param, ...(isRange(s.cols) ? { cols: s.cols } : {}), weight: typeof s.weight === 'number' ? s.weight : 1 });
        }
      }
    }
    if (isParameterRouting) return;
    for (const item of Object.values(v)) walk(item, depth + 1);
  };
  walk(value, 0);
  return found;
}

/** Schemes that route nothing (their cells get no outline). */
const NON_ROUTING = new Set(['none', 'filter']);

export function routingFor(config: unknown, cell: string | undefined): RoutingDeclaration {
  if (isObject(config) && Array.isArray(config.arms) && cell !== undefined) {
    const armName = cell.split('/')[0];
    const arm = config.arms.find((a): a is Record<string, unknown> => isObject(a) && a.name === armName);
    if (arm) {
      const defaultScheme = typeof config.routingScheme === 'string' ? config.routingScheme : undefined;
      const scheme = typeof arm.scheme === 'string' ? arm.scheme : defaultScheme;
      if (scheme !== undefined && NON_ROUTING.has(scheme)) {
        return { scheme, note: `arm "${armName}" uses scheme "${scheme}", which routes nothing`, activation: [], era: [], parameter: [] };
      }
      const schemeConfig = arm.schemeConfig ?? (scheme === defaultScheme ? config.routingConfig : undefined);
      return { ...(scheme ? { scheme } : {}), ...findDeclarations(schemeConfig) };
    }
  }
  return findDeclarations(config);
}

const rangeLabel = (name: string, [from, to]: Range) => `${name} [${from}, ${to})`;

/**
 * Outlines for one parameter's per-neuron heatmap, per class. A declaration applies to a parameter when its
 * axis has as many entries as the parameter has neurons (an activation hook's regions end at its width),
 * or when it names the parameter (parameter routing, ERA's own *_expanded parameters).
 */
export function regionsForParameter(routing: RoutingDeclaration, parameter: string, neurons: number, classes: readonly string[]): HeatmapRegion[] {
  const out: HeatmapRegion[] = [];
  // Unlabelled units are routed as retain (see @routelab/routing's applyOversight).
  const routedAs = (cls: string): 'forget' | 'retain' => (cls === 'forget' ? 'forget' : 'retain');
  for (const a of routing.activation) {
    const ranges = Object.values(a.regions);
    const width = Math.max(...ranges.map(([, to]) => to));
    if (ranges.length === 0 || width !== neurons) continue;
    for (const cls of classes) {
      const w = a[routedAs(cls)];
      for (const [name, range] of Object.entries(a.regions)) {
        const weight = w[name] ?? 1;
        out.push({ cls, from: range[0], to: range[1], label: weight !== 0 && weight !== 1 ? `${rangeLabel(name, range)} ×${weight}` : rangeLabel(name, range), routed: weight !== 0 });
      }
    }
  }
  for (const e of routing.era) {
    const ownParameter = /expanded/.test(parameter);
    if (!ownParameter && e.expanded[1] !== neurons) continue;
    const expanded: Range = ownParameter ? [0, neurons] : e.expanded;
    for (const cls of classes) {
      const forget = routedAs(cls) === 'forget';
      out.push({ cls, from: expanded[0], to: expanded[1], label: rangeLabel('expanded', expanded), routed: forget });
      if (!ownParameter && expanded[0] > 0) out.push({ cls, from: 0, to: expanded[0], label: rangeLabel('original', [0, expanded[0]]), routed: !forget });
    }
  }
  for (const s of routing.parameter) {
    if (s.param !== parameter) continue;
    const range: Range = s.cols ?? [0, neurons];
    for (const cls of classes) {
      if (routedAs(cls) !== s.cls) continue;
      out.push({ cls, from: range[0], to: range[1], label: rangeLabel(`${s.cls} slice`, range), routed: s.weight !== 0 });
    }
  }
  return out;
}

// Which arms the comparison chart shows together: one panel per research question (docs/questions.md), each
// holding the arms its contrast compares and the arm it is read against. Arms are placed by the roles the
// report's config gives them (`questions`) and by what they are (their data arm and routing scheme), never
// by a list of names, so a researcher's own arm (a plugin scheme, say) lands beside the arms of its kind.
import { questionRolesSchema, type QuestionRoles } from '../experiment/questions.ts';

/** What an arm is, for its colour: the kinds a reader compares. */
export const ARM_KINDS = ['reference', 'inoculation', 'control', 'routing', 'routing + inoculation', 'filtering', 'other'] as const;
export type ArmKind = (typeof ARM_KINDS)[number];

export const KIND_COLOURS: Record<ArmKind, string> = {
  reference: '#7f7f7f',
  inoculation: '#1f77b4',
  control: '#ff7f0e',
  routing: '#2ca02c',
  'routing + inoculation': '#9467bd',
  filtering: '#8c564b',
  other: '#17becf',
};

/**
 * The colour encoding every part of the chart uses: one fixed colour per kind (the same kind has the same
 * colour in every report), one legend listing the kinds present.
 */
export function kindColourEncoding(present: readonly ArmKind[]): Record<string, unknown> {
  const kinds = ARM_KINDS.filter((k) => present.includes(k));
  return { field: 'kind', type: 'nominal', title: 'arm', scale: { domain: kinds, range: kinds.map((k) => KIND_COLOURS[k]) }, legend: { orient: 'top', labelLimit: 0 } };
}

export interface ArmFacts {
  /** The world data arm (e.g. 'none', 'ip-specific', 'control-irrelevant', 'none-impure'). */
  data: string;
  /** The routing scheme id; 'none' trains plainly. */
  scheme: string;
}

export interface ChartPanel {
  id: string;
  /** The question(s) the panel answers, as its title. */
  title: string;
  /** The arm the others are read against (drawn as a dashed line); null when it was not run. */
  reference: string | null;
  /** In drawing order: the reference first, each control right after the arm it controls for. */
  arms: { arm: string; kind: ArmKind }[];
  /** The metrics the panel shows, in column order. */
  metrics: readonly PanelMetric[];
}

export type PanelMetric = 'U' | 'W' | 'G' | 'capability';

const isRouting = (f: ArmFacts) => f.scheme !== 'none';
const isImpure = (f: ArmFacts) => f.data.includes('impure');
const isControl = (f: ArmFacts) => f.data.startsWith('control-');
const isInoculationData = (f: ArmFacts) => f.data.startsWith('ip-') || f.data.startsWith('impure-ip');

/** The kind of an arm, from its data and scheme (the panel's reference is coloured as such by the caller). */
export function armKind(f: ArmFacts): ArmKind {
  if (isRouting(f)) return isInoculationData(f) ? 'routing + inoculation' : 'routing';
  if (isControl(f) || f.data === 'ip-clean') return 'control';
  if (isInoculationData(f)) return 'inoculation';
  if (f.data === 'filter') return 'filtering';
  return 'other';
}

/** The question roles a report was run with (defaults where the report does not say). */
export function chartRoles(roles: Partial<QuestionRoles> | undefined): QuestionRoles {
  return questionRolesSchema.parse(roles ?? {});
}

/**
 * Panels for the arms present in `facts` (report order). Every arm other than the baseline lands in at least
 * one panel ("Other arms" when no question uses it); panels with nothing to compare are left out.
 */
export function chartPanels(armOrder: readonly string[], facts: Readonly<Record<string, ArmFacts>>, roles: QuestionRoles): ChartPanel[] {
  const present = armOrder.filter((a) => facts[a] !== undefined);
  const has = (arm: string) => facts[arm] !== undefined;
  const f = (arm: string) => facts[arm]!;
  const baseline = has(roles.baseline) ? roles.baseline : null;
  const impureBaseline = present.find((a) => f(a).data === 'none-impure' && !isRouting(f(a))) ?? null;
  const placed = new Set<string>();

  const panel = (id: string, title: string, reference: string | null, members: (string | undefined | false)[], metrics: readonly PanelMetric[]): ChartPanel | null => {
    const arms = [...new Set(members.filter((a): a is string => typeof a === 'string' && has(a) && a !== reference))];
    if (arms.length === 0) return null;
    arms.forEach((a) => placed.add(a));
    return {
      id,
      title,
      reference,
      arms: [...(reference ? [{ arm: reference, kind: 'reference' as const }] : []), ...arms.map((arm) => ({ arm, kind: armKind(f(arm)) }))],
      metrics,
    };
  };

  const impure = present.filter((a) => isImpure(f(a)) && a !== impureBaseline);
  const pure = present.filter((a) => a !== baseline && a !== impureBaseline && !isImpure(f(a)));
  const routingAlone = pure.filter((a) => isRouting(f(a)) && !isInoculationData(f(a)));
  const routingWithIp = pure.filter((a) => isRouting(f(a)) && isInoculationData(f(a)));
  const inoculation = pure.filter((a) => !isRouting(f(a)) && isInoculationData(f(a)) && f(a).data !== 'ip-clean');
  const controls = pure.filter((a) => !isRouting(f(a)) && (isControl(f(a)) || f(a).data === 'ip-clean'));
  // The control goes right after the arm it controls for: the question's pair first, the rest after it.
  const controlOrder = [roles.inoculation, roles.irrelevantControl, ...controls.filter((a) => a !== roles.irrelevantControl), ...inoculation];

  const panels = [
    panel('q1-q4', 'Q1, Q4: routing against inoculation (U, and the generalised trait G), W and capability beside', baseline, [roles.inoculation, roles.routing, ...routingAlone, roles.neverExposed], ['U', 'W', 'G', 'capability']),
    panel('q2', 'Q2: inoculation beside its controls (how much a prompt unrelated to U does alone)', baseline, controlOrder, ['U', 'W', 'capability']),
    // Only when impure data was run: the filter role alone (on pure data) answers nothing here.
    panel('q3', 'Q3: impure data (a fraction of examples carries U), read against no intervention on the same data', impureBaseline, impure.length === 0 ? [] : [
      roles.impureInoculation,
      ...impure,
      roles.impureFilter,
    ], ['U', 'W', 'capability']),
    panel('q6', 'Q6: routing and inoculation combined, against each alone', baseline, [roles.inoculation, roles.routing, roles.combined, ...routingWithIp], ['U', 'W', 'capability']),
  ].filter((p): p is ChartPanel => p !== null);
  const rest = present.filter((a) => a !== baseline && a !== impureBaseline && !placed.has(a));
  const other = panel('other', 'Other arms', baseline, rest, ['U', 'W', 'G', 'capability']);
  return other ? [...panels, other] : panels;
}

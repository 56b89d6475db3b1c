// The chart of `routelab compare --experiment rl` (and the viewer's rl pages), in the persona chart's
// conventions: (a) per arm, the deployed policy's neutral hack rate, its hack rate with the inoculation prompt
// re-added, true reward and capability, each a dot (mean over seeds) with its 95% interval, every dot labelled
// with its value and the `none` arm's mean as a dashed line; (b) held-out neutral hack rate and true reward
// against RL step, one line per arm (mean over seeds), each line named at its last point. Every quantity is a
// rate or a reward in [0, 1]: the axes span exactly that and intervals are clipped to it. Pure: a Vega-Lite
// spec from an rl report.json (rl/report.ts).
import type { ChartInterval } from './suppression_chart.ts';
import { RL_TABLE_COLUMNS } from '../rl/report.ts';

/** The parts of an rl report.json the chart reads. */
export interface RlReportForChart {
  arms: string[];
  summaries: { arm: string; seeds: number[]; metrics: Record<string, { interval: ChartInterval | null } | undefined>; curve: { step: number; hack: number; true: number }[] }[];
  check?: { name: string; note: string };
}

/** Panel (a)'s columns: the rl tables' columns less proxy reward and G. */
export const RL_CHART_METRICS = RL_TABLE_COLUMNS.filter((c) => ['hack rate (neutral)', 'hack rate (inoculation prompt re-added)', 'true reward (neutral)', 'capability (neutral)'].includes(c.metric));

export interface RlArmMark {
  arm: string;
  metric: string;
  metricTitle: string;
  mean: number;
  /** 95% interval over seeds clipped to [0, 1]; the mean itself when there is none (one seed). */
  lo: number;
  hi: number;
  seeds: number;
  label: string;
  reference: boolean;
}

export interface RlCurveMark {
  arm: string;
  quantity: 'hack rate (neutral)' | 'true reward (neutral)';
  step: number;
  value: number;
  /** The arm's last point on this curve carries its name, at labelY (moved apart from its neighbours' names). */
  last: boolean;
  labelY: number | null;
}

/** Vertical distance between two line names, in units of the [0, 1] axis (about one line of text). */
const LABEL_GAP = 0.06;

/**
 * Spreads the names at the lines' ends so that none overprints another and each stays as near its line as it
 * can: names are taken from the lowest value up, and a name that would overlap the group below joins it; a
 * group is centred on its members' mean, a line apart each (the usual label dodge). Then, from the bottom,
 * no group starts below 0 or overlaps the one beneath.
 */
function placeLabels(ends: RlCurveMark[]): void {
  const sorted = [...ends].sort((a, b) => a.value - b.value || b.arm.localeCompare(a.arm));
  const groups: { members: RlCurveMark[]; bottom: number }[] = [];
  const top = (g: { members: RlCurveMark[]; bottom: number }) => g.bottom + (g.members.length - 1) * LABEL_GAP;
  for (const m of sorted) {
    groups.push({ members: [m], bottom: m.value });
    while (groups.length > 1 && groups.at(-1)!.bottom - top(groups.at(-2)!) < LABEL_GAP - 1e-12) {
      const members = [...groups.at(-2)!.members, ...groups.at(-1)!.members];
      const centre = members.reduce((s, x) => s + x.value, 0) / members.length;
      groups.splice(-2, 2, { members, bottom: centre - ((members.length - 1) * LABEL_GAP) / 2 });
    }
  }
  let floor = 0;
  for (const g of groups) {
    g.bottom = Math.max(g.bottom, floor);
    g.members.forEach((m, i) => (m.labelY = g.bottom + i * LABEL_GAP));
    floor = top(g) + LABEL_GAP;
  }
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const clip = (x: number) => Math.min(1, Math.max(0, x));

export function rlArmMarks(report: RlReportForChart): RlArmMark[] {
  const marks: RlArmMark[] = [];
  for (const s of report.summaries) {
    for (const { metric, title } of RL_CHART_METRICS) {
      const v = s.metrics[metric]?.interval;
      if (!v || !finite(v.mean)) continue;
      const mean = clip(v.mean);
      const [lo, hi] = finite(v.lo) && finite(v.hi) ? [clip(v.lo), clip(v.hi)] : [mean, mean];
      marks.push({ arm: s.arm, metric, metricTitle: title, mean, lo, hi, seeds: s.seeds.length, label: mean.toFixed(2), reference: s.arm === 'none' });
    }
  }
  return marks;
}

export function rlCurveMarks(report: RlReportForChart): RlCurveMark[] {
  const marks: RlCurveMark[] = [];
  for (const s of report.summaries) {
    for (const [quantity, read] of [['hack rate (neutral)', (p: { hack: number }) => p.hack], ['true reward (neutral)', (p: { true: number }) => p.true]] as const) {
      const points = s.curve.filter((p) => finite(read(p)));
      points.forEach((p, i) => marks.push({ arm: s.arm, quantity, step: p.step, value: clip(read(p)), last: i === points.length - 1, labelY: null }));
    }
  }
  for (const quantity of ['hack rate (neutral)', 'true reward (neutral)'] as const) placeLabels(marks.filter((m) => m.last && m.quantity === quantity));
  return marks;
}

/** One colour per arm (report order), the same in both parts. */
function armColour(arms: readonly string[]): Record<string, unknown> {
  return { field: 'arm', type: 'nominal', title: 'arm', scale: { domain: [...arms], scheme: arms.length <= 10 ? 'category10' : 'tableau20' }, legend: { orient: 'top', labelLimit: 0, columns: 6 } };
}

const RATE_AXIS = { scale: { domain: [0, 1], nice: false }, axis: { values: [0, 0.25, 0.5, 0.75, 1], format: '.2~f' } };

function armsPanel(marks: readonly RlArmMark[], arms: readonly string[], colour: Record<string, unknown>): Record<string, unknown> {
  const x = { type: 'quantitative', ...RATE_AXIS, title: null };
  const y = { field: 'arm', type: 'nominal', sort: [...arms], title: null, axis: { labelLimit: 0 } };
  return {
    title: { text: 'The deployed policy per arm (prompt removed, routed units ablated): mean over seeds, 95% interval', anchor: 'start', fontSize: 13 },
    data: { values: marks },
    facet: { column: { field: 'metricTitle', type: 'nominal', sort: RL_CHART_METRICS.map((m) => m.title), title: null, header: { labelFontSize: 11, labelLimit: 0 } } },
    spec: {
      width: 190,
      height: { step: 24 },
      layer: [
        { transform: [{ filter: 'datum.reference' }], mark: { type: 'rule', strokeDash: [4, 3], color: '#7f7f7f' }, encoding: { x: { ...x, field: 'mean' } } },
        { mark: { type: 'rule', strokeWidth: 2, opacity: 0.7 }, encoding: { x: { ...x, field: 'lo' }, x2: { field: 'hi' }, y, color: colour } },
        {
          mark: { type: 'point', filled: true, size: 60, opacity: 1 },
          encoding: { x: { ...x, field: 'mean' }, y, color: colour, tooltip: [{ field: 'arm' }, { field: 'metric' }, { field: 'mean', format: '.3f' }, { field: 'lo', format: '.3f' }, { field: 'hi', format: '.3f' }, { field: 'seeds' }] },
        },
        { mark: { type: 'text', dy: -9, fontSize: 10 }, encoding: { x: { ...x, field: 'mean' }, y, text: { field: 'label' } } },
      ],
    },
  };
}

function curvePanel(marks: readonly RlCurveMark[], quantity: RlCurveMark['quantity'], colour: Record<string, unknown>): Record<string, unknown> {
  const values = marks.filter((m) => m.quantity === quantity);
  const x = { field: 'step', type: 'quantitative', title: 'RL step', scale: { zero: true, nice: false }, axis: { tickMinStep: 1, format: 'd' } };
  const y = { field: 'value', type: 'quantitative', ...RATE_AXIS, title: `${quantity}, held out` };
  return {
    title: { text: `${quantity === 'hack rate (neutral)' ? 'Hack rate' : 'True reward'} against RL step (held-out tasks, neutral prompt, mean over seeds)`, anchor: 'start', fontSize: 13 },
    data: { values },
    width: 360,
    height: 220,
    layer: [
      { mark: { type: 'line', point: { size: 30, filled: true }, strokeWidth: 2 }, encoding: { x, y, color: colour, tooltip: [{ field: 'arm' }, { field: 'step' }, { field: 'value', format: '.3f', title: quantity }] } },
      { transform: [{ filter: 'datum.last' }], mark: { type: 'text', align: 'left', baseline: 'middle', dx: 6, fontSize: 10 }, encoding: { x, y: { ...y, field: 'labelY' }, text: { field: 'arm' }, color: colour } },
    ],
  };
}

/** The whole rl chart: the arm panel, then the two curves side by side. */
export function rlChartSpec(report: RlReportForChart): Record<string, unknown> {
  const arms = report.summaries.map((s) => s.arm);
  const colour = armColour(arms);
  const marks = rlArmMarks(report);
  const curves = rlCurveMarks(report);
  const notes = [
    'Dots: mean over seeds; bars: 95% interval over seeds, clipped to what a rate can take ([0, 1]); dashed line: none, the arm the others are read against.',
    ...(report.check ? [`Instrument check: ${report.check.name}: ${report.check.note}.`] : []),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Reward hacking under RL: which method keeps the policy honest, and what it costs', subtitle: notes, anchor: 'start', fontSize: 16, subtitleFontSize: 11 },
    vconcat: [
      ...(marks.length > 0 ? [armsPanel(marks, arms, colour)] : []),
      ...(curves.length > 0 ? [{ hconcat: [curvePanel(curves, 'hack rate (neutral)', colour), curvePanel(curves, 'true reward (neutral)', colour)], spacing: 60 }] : []),
    ],
    spacing: 28,
    resolve: { scale: { color: 'shared' }, legend: { color: 'shared' } },
    config: { font: 'DejaVu Sans, sans-serif', view: { stroke: '#dddddd' } },
  };
}

// The comparison chart of `routelab compare`, built to be read without the table: first the six questions'
// headline contrasts (estimate, interval, verdict), then one panel per question with the arms its contrast
// compares (the reference arm as a dashed line, each control beside the arm it controls for), each arm's
// neutral-prompt U, W, (G) and capability as a dot with its 95% interval over seeds, every dot labelled with
// its value; then, when the report carries the elicitation pre-screen, elicitation against suppression
// across the inoculation arms. Rates live in [0, 1] and differences of rates in [-1, 1]: the axes span exactly
// that and intervals are clipped to it. Pure: a Vega-Lite spec from a persona report.json.
import type { QuestionRoles } from '../experiment/questions.ts';
import { KIND_COLOURS, chartPanels, kindColourEncoding, chartRoles, type ArmFacts, type ArmKind, type ChartPanel, type PanelMetric } from './chart_panels.ts';
import { elicitationPoints, elicitationScatterSpec, type ElicitationForChart } from './elicitation_chart.ts';

/** The parts of a persona report.json the chart reads (see experiment/report.ts). */
export interface ChartInterval {
  mean: number;
  lo: number;
  hi: number;
}

/** A question's headline contrast as report.json carries it (experiment/questions.ts). */
export interface QuestionForChart {
  id: string;
  question: string;
  answer: string;
  answerable: boolean;
  headline?: { label: string; estimate: number; lo: number; hi: number; n: number; decision?: { significant: boolean; reason: string } };
}

type Conditions = Record<string, Record<string, ChartInterval | null | undefined> | undefined>;

export interface PersonaReportForChart {
  arms: string[];
  results: Record<string, { data?: string; scheme?: string; conditions: Conditions } | undefined>;
  pairedVsNone: Record<string, { conditions: Conditions } | undefined>;
  /** The six questions' answers (absent in reports written before they existed). */
  questions?: QuestionForChart[];
  /** Which arm plays which role in the questions; the defaults where absent. */
  questionRoles?: Partial<QuestionRoles>;
  /** The elicitation pre-screen by arm; the scatter is drawn only when present. */
  elicitation?: ElicitationForChart;
}

export interface ArmMark {
  panel: string;
  arm: string;
  kind: ArmKind;
  metric: PanelMetric;
  /** The column header. */
  metricTitle: string;
  mean: number;
  /** The 95% interval over seeds, clipped to [0, 1] (the mean itself when the report gives no finite interval). */
  lo: number;
  hi: number;
  /** The text beside the dot. */
  label: string;
}

export interface QuestionMark {
  /** The row label: question number and contrast, e.g. "Q1: era - ip-specific, neutral U". */
  row: string;
  /** Null: nothing to place on the rate-difference axis (no paired seeds, or a contrast in steps). */
  estimate: number | null;
  lo: number | null;
  hi: number | null;
  significant: boolean;
  answerable: boolean;
  /** The text at the right of the row: the numbers and the verdict. */
  label: string;
}

const METRIC_TITLES: Record<PanelMetric, string> = {
  U: 'U, unwanted (lower: suppressed)',
  W: 'W, wanted (higher: kept)',
  G: 'G, generalised (lower: suppressed)',
  capability: 'capability (exact match)',
};


const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;

function armFacts(report: PersonaReportForChart): Record<string, ArmFacts> {
  const facts: Record<string, ArmFacts> = {};
  for (const arm of report.arms) {
    const r = report.results[arm];
    if (r) facts[arm] = { data: r.data ?? arm, scheme: r.scheme ?? 'none' };
  }
  return facts;
}

/** The panels of the chart for this report (see chart_panels.ts). */
export function reportPanels(report: PersonaReportForChart): ChartPanel[] {
  return chartPanels(report.arms, armFacts(report), chartRoles(report.questionRoles));
}

/** Every dot of the arm panels: one per panel, arm and metric the report has a value for. */
export function armMarks(report: PersonaReportForChart, panels: readonly ChartPanel[], condition = 'neutral'): ArmMark[] {
  const marks: ArmMark[] = [];
  for (const panel of panels) {
    for (const { arm, kind } of panel.arms) {
      for (const metric of panel.metrics) {
        const v = report.results[arm]?.conditions[condition]?.[metric];
        if (!v || !finite(v.mean)) continue;
        const mean = clip(v.mean, 0, 1);
        const [lo, hi] = finite(v.lo) && finite(v.hi) ? [clip(v.lo, 0, 1), clip(v.hi, 0, 1)] : [mean, mean];
        marks.push({ panel: panel.id, arm, kind, metric, metricTitle: METRIC_TITLES[metric], mean, lo, hi, label: mean.toFixed(2) });
      }
    }
  }
  return marks;
}

/** One row per question: its headline contrast on the [-1, 1] axis of rate differences, with its verdict. */
export function questionMarks(questions: readonly QuestionForChart[]): QuestionMark[] {
  return questions.map((q, i) => {
    const number = /^q(\d+)/i.exec(q.id)?.[1] ?? String(i + 1);
    const h = q.headline;
    const significant = q.answerable && h?.decision?.significant === true;
    const verdict = !q.answerable ? 'not answerable here' : significant ? 'significant' : 'not significant';
    // Without a contrast the row names the question by its id ("q3-impure-data": "impure data"); the text says why.
    if (!h) return { row: `Q${number}: ${q.id.replace(/^q\d+-?/i, '').replace(/-/g, ' ') || q.question}`, estimate: null, lo: null, hi: null, significant, answerable: q.answerable, label: q.answer.replace(/\.$/, '') };
    // A contrast of rates is a difference in [-1, 1], and its interval is clipped to that (in the text too); one
    // in other units (relearning steps) is stated as it is, not placed on the axis.
    const isRate = !/\bsteps?\b/i.test(h.label);
    const bound = (x: number) => (isRate ? clip(x, -1, 1) : x);
    const interval = h.n > 1 && finite(h.lo) && finite(h.hi) ? ` [${signed(bound(h.lo))}, ${signed(bound(h.hi))}]` : ' (no interval)';
    const label = `${signed(bound(h.estimate))}${interval}, n=${h.n}: ${verdict}`;
    if (!isRate || !finite(h.estimate)) return { row: `Q${number}: ${h.label}`, estimate: null, lo: null, hi: null, significant, answerable: q.answerable, label };
    const [lo, hi] = finite(h.lo) && finite(h.hi) ? [clip(h.lo, -1, 1), clip(h.hi, -1, 1)] : [h.estimate, h.estimate];
    return { row: `Q${number}: ${h.label}`, estimate: clip(h.estimate, -1, 1), lo, hi, significant, answerable: q.answerable, label };
  });
}


function questionsSpec(marks: readonly QuestionMark[]): Record<string, unknown> {
  const x = { type: 'quantitative', scale: { domain: [-1, 1], nice: false }, axis: { values: [-1, -0.5, 0, 0.5, 1] }, title: 'headline contrast (difference of rates, 95% interval)' };
  const y = { field: 'row', type: 'nominal', sort: marks.map((m) => m.row), title: null, axis: { labelLimit: 0 } };
  const placed = { filter: 'datum.estimate !== null' };
  const verdictColour = { condition: { test: 'datum.significant', value: '#c0392b' }, value: '#444444' };
  return {
    title: { text: 'The questions: each headline contrast with its interval and verdict (Holm across the answerable ones)', anchor: 'start', fontSize: 13 },
    data: { values: marks },
    width: 300,
    height: { step: 24 },
    layer: [
      { mark: { type: 'rule', strokeDash: [3, 3], color: '#999999' }, data: { values: [{ zero: 0 }] }, encoding: { x: { ...x, field: 'zero' } } },
      { transform: [placed], mark: { type: 'rule', strokeWidth: 2 }, encoding: { x: { ...x, field: 'lo' }, x2: { field: 'hi' }, y, color: verdictColour, opacity: { condition: { test: 'datum.answerable', value: 1 }, value: 0.4 } } },
      { transform: [placed], mark: { type: 'point', filled: true, size: 60 }, encoding: { x: { ...x, field: 'estimate' }, y, color: verdictColour, opacity: { condition: { test: 'datum.answerable', value: 1 }, value: 0.4 } } },
      { mark: { type: 'text', align: 'left', dx: 8, fontSize: 11 }, encoding: { x: { datum: 1, type: 'quantitative', scale: { domain: [-1, 1] } }, y, text: { field: 'label' }, color: verdictColour } },
    ],
  };
}

function panelSpec(panel: ChartPanel, marks: readonly ArmMark[], colour: Record<string, unknown>): Record<string, unknown> {
  const x = { type: 'quantitative', scale: { domain: [0, 1], nice: false }, axis: { values: [0, 0.25, 0.5, 0.75, 1], format: '.2~f' }, title: null };
  const y = { field: 'arm', type: 'nominal', sort: panel.arms.map((a) => a.arm), title: null, axis: { labelLimit: 0 } };
  const values = marks.filter((m) => m.panel === panel.id);
  return {
    title: { text: panel.title, anchor: 'start', fontSize: 13 },
    data: { values },
    facet: { column: { field: 'metricTitle', type: 'nominal', sort: panel.metrics.map((m) => METRIC_TITLES[m]), title: null, header: { labelFontSize: 11, labelLimit: 0 } } },
    spec: {
      width: 180,
      height: { step: 24 },
      layer: [
        ...(panel.reference
          ? [{ transform: [{ filter: { field: 'kind', equal: 'reference' } }], mark: { type: 'rule', strokeDash: [4, 3], color: KIND_COLOURS.reference }, encoding: { x: { ...x, field: 'mean' } } }]
          : []),
        { mark: { type: 'rule', strokeWidth: 2, opacity: 0.7 }, encoding: { x: { ...x, field: 'lo' }, x2: { field: 'hi' }, y, color: colour } },
        {
          mark: { type: 'point', filled: true, size: 60, opacity: 1 },
          encoding: { x: { ...x, field: 'mean' }, y, color: colour, tooltip: [{ field: 'arm' }, { field: 'metric' }, { field: 'mean', format: '.3f' }, { field: 'lo', format: '.3f' }, { field: 'hi', format: '.3f' }] },
        },
        { mark: { type: 'text', dy: -9, fontSize: 10 }, encoding: { x: { ...x, field: 'mean' }, y, text: { field: 'label' } } },
      ],
    },
  };
}

/** The whole chart: the questions, a panel per question, and the elicitation scatter when the report has it. */
export function suppressionChartSpec(report: PersonaReportForChart, condition = 'neutral'): Record<string, unknown> {
  const panels = reportPanels(report);
  const marks = armMarks(report, panels, condition);
  const questions = questionMarks(report.questions ?? []);
  const elicitation = elicitationPoints(report, chartRoles(report.questionRoles).baseline);
  // One colour scale for the panels and the scatter (vconcat shares it): its domain is every kind drawn.
  const colour = kindColourEncoding([...marks.map((m) => m.kind), ...elicitation.points.map((p) => p.kind)]);
  const notes = [
    `Dots: mean over seeds under the ${condition} prompt; bars: 95% interval, clipped to what a rate can take ([0, 1]); dashed line: the arm the panel is read against.`,
    ...(report.questions ? [] : ['The report carries no question answers: only the arm panels are drawn.']),
    ...(elicitation.note ? [elicitation.note] : []),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Which method suppresses the unwanted trait, and what it costs', subtitle: notes, anchor: 'start', fontSize: 16, subtitleFontSize: 11 },
    vconcat: [
      ...(questions.length > 0 ? [questionsSpec(questions)] : []),
      ...panels.filter((p) => marks.some((m) => m.panel === p.id)).map((p) => panelSpec(p, marks, colour)),
      ...(elicitation.points.length > 0 ? [elicitationScatterSpec(elicitation.points, colour)] : []),
    ],
    spacing: 28,
    resolve: { scale: { color: 'shared' }, legend: { color: 'shared' } },
    config: { font: 'DejaVu Sans, sans-serif', view: { stroke: '#dddddd' } },
  };
}

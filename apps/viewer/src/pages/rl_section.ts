// The rl part of the run and compare pages: the held-out hack rate and true reward against RL step, one line
// per arm (mean over seeds), and the deployed policy's table (mean [95% interval] per arm and metric, the
// seed-paired difference from none beneath), read from an rl report.json (data/rl_report.ts).
import { ChartView } from '../app/chart_view.ts';
import { el, message } from '../app/dom.ts';
import { formatNumber } from '../app/format.ts';
import { curveSpec } from '../charts/curves.ts';
import { RL_COLUMNS, type RlInterval, type RlView } from '../data/rl_report.ts';

const fmt = (i: RlInterval) => (i.n > 1 && i.lo !== i.hi ? `${formatNumber(i.mean)} [${formatNumber(i.lo)}, ${formatNumber(i.hi)}]` : formatNumber(i.mean));
const signed = (x: number) => `${x >= 0 ? '+' : ''}${formatNumber(x)}`;

export function rlSection(view: RlView): { element: HTMLElement; dispose: () => void } {
  const charts = [
    new ChartView(curveSpec(view.hackCurve, { metric: 'hack rate (neutral), held out', bounds: [0, 1] }), { caption: 'Hack rate under the neutral prompt against RL step, one line per arm (mean over seeds)', testId: 'rl-curve-hack' }),
    new ChartView(curveSpec(view.trueCurve, { metric: 'true reward (neutral), held out', bounds: [0, 1] }), { caption: 'True reward under the neutral prompt against RL step, one line per arm (mean over seeds)', testId: 'rl-curve-true' }),
  ];
  const cell = (arm: string, metric: string, value: RlInterval | null, diff: (RlInterval & { significant: boolean }) | null | undefined) =>
    el(
      'td',
      { className: 'num', 'data-metric': metric },
      value ? el('span', { 'data-field': 'mean' }, fmt(value)) : '—',
      diff ? [el('br'), el('span', { className: 'hint', 'data-field': 'paired', title: `${arm} minus none, paired by seed` }, `Δ ${signed(diff.mean)}${diff.n > 1 && diff.lo !== diff.hi ? ` [${signed(diff.lo)}, ${signed(diff.hi)}]` : ''}${diff.significant ? ' *' : ''}`)] : null,
    );
  const table = el(
    'table',
    { 'data-testid': 'rl-table' },
    el('caption', {}, 'The deployed policy (prompt removed, routed units ablated) on held-out tasks: mean [95% interval over seeds], clipped to [0, 1]; Δ: the seed-paired difference from none (* its interval excludes 0; descriptive).'),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'arm'), el('th', { scope: 'col', className: 'num' }, 'seeds'), ...RL_COLUMNS.map((c) => el('th', { scope: 'col', className: 'num' }, c.title)))),
    el(
      'tbody',
      {},
      ...view.rows.map((r) =>
        el('tr', { 'data-arm': r.arm }, el('th', { scope: 'row' }, r.arm), el('td', { className: 'num', 'data-field': 'seeds' }, r.seeds), ...RL_COLUMNS.map((c) => cell(r.arm, c.metric, r.values[c.metric] ?? null, r.paired?.[c.metric]))),
      ),
    ),
  );
  const check = view.check
    ? message(view.check.met === false ? 'warning' : 'info', `Instrument check: ${view.check.name}: ${view.check.note}`, { 'data-testid': 'rl-check' })
    : null;
  const element = el('div', { 'data-testid': 'rl-section' }, check, el('div', { className: 'charts' }, ...charts.map((c) => c.element)), table);
  return { element, dispose: () => charts.forEach((c) => c.dispose()) };
}

// Compare: arms side by side, the mean of a metric with its 95% interval, under one system prompt condition
// (neutral, inoculation, irrelevant, negated). Reads a `routelab compare` report, or any run's or sweep's
// report.json that has arms (see data/compare_rows.ts).
import { api } from '../api/client.ts';
import type { RunSummary } from '../api/api_types.ts';
import { ChartView } from '../app/chart_view.ts';
import { el, labelled, message, section, select } from '../app/dom.ts';
import { formatInterval, formatNumber } from '../app/format.ts';
import { heading, type Page } from '../app/page.ts';
import { href, replaceQuery } from '../app/router.ts';
import { compareSpec } from '../charts/compare.ts';
import { CONDITIONS, compareTable, pairedFor, rowsFor, type CompareTable } from '../data/compare_rows.ts';
import { rlView } from '../data/rl_report.ts';
import { rlSection } from './rl_section.ts';

const CONDITION_HINTS: Record<string, string> = {
  neutral: 'a helpful-assistant prompt',
  inoculation: "the arm's inoculating prompt",
  irrelevant: 'an unrelated prompt',
  negated: 'a prompt asking for the opposite of the trait',
};

function preferredMetric(table: CompareTable): string | undefined {
  return table.metrics.find((m) => m === 'U' || m.endsWith('.U')) ?? table.metrics.find((m) => m === 'hack rate') ?? table.metrics.find((m) => /gapRatio/.test(m)) ?? table.metrics[0];
}

export function comparePage(query: URLSearchParams): Page {
  const root = el('div', { 'data-page': 'compare' }, heading('Compare'), el('p', {}, 'Loading…'));
  const controller = new AbortController();
  let chart: ChartView | undefined;
  let rl: { dispose: () => void } | undefined;

  async function load(): Promise<void> {
    let sources: RunSummary[];
    try {
      sources = (await api.runs(controller.signal)).runs.filter((r) => r.hasReport && !r.loadError);
    } catch (err) {
      root.replaceChildren(heading('Compare'), message('error', `Could not load the runs: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    // Compare reports first, then sweeps, then single runs.
    const rank = (r: RunSummary) => (r.collection === 'compare' ? 0 : r.kind === 'collection' ? 1 : 2);
    sources.sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id));
    let source = sources.some((s) => s.id === query.get('source')) ? query.get('source')! : sources[0]?.id;
    const body = el('div');
    const sourceSelect = select(
      sources.map((s) => ({ value: s.id, label: `${s.id}${s.collection ? ` (${s.collection})` : s.experiment ? ` (${s.experiment})` : ''}` })),
      source,
      (v) => {
        source = v;
        replaceQuery({ source: v, metric: undefined, condition: undefined });
        void show(undefined, undefined);
      },
    );
    root.replaceChildren(
      heading('Compare'),
      el('p', {}, 'Arms side by side: the mean over seeds with its 95% interval. Pick a report, a metric and the system prompt the models were evaluated under.'),
      sources.length === 0 ? message('info', 'No run or compare directory has a report yet.') : el('div', { className: 'controls' }, labelled('Report', sourceSelect)),
      body,
    );

    async function show(metricWanted: string | undefined, conditionWanted: string | undefined): Promise<void> {
      chart?.dispose();
      chart = undefined;
      rl?.dispose();
      rl = undefined;
      if (!source) return;
      let table: CompareTable;
      let report: unknown;
      try {
        report = await api.file(source, 'report.json', controller.signal);
        table = compareTable(report);
      } catch (err) {
        body.replaceChildren(message('error', `Could not read ${source}/report.json: ${err instanceof Error ? err.message : String(err)}`));
        return;
      }
      if (table.rows.length === 0) {
        body.replaceChildren(message('info', `${source}'s report has no arms with intervals to compare.`, { 'data-testid': 'no-arms' }));
        return;
      }
      let metric = metricWanted && table.metrics.includes(metricWanted) ? metricWanted : preferredMetric(table)!;
      const conditionsOf = (m: string) => [...new Set(table.rows.filter((r) => r.metric === m).map((r) => r.condition))];
      let condition: string | null = conditionWanted ?? null;
      const fix = () => {
        const present = conditionsOf(metric);
        if (!present.includes(condition)) condition = present.includes('neutral') ? 'neutral' : (present[0] ?? null);
      };
      fix();

      const tableBox = el('div');
      const chartBox = el('div');
      const fieldset = el('fieldset', { 'data-testid': 'condition-switch' });
      const render = () => {
        chart?.dispose();
        const rows = rowsFor(table, metric, condition);
        const withPaired = table.baseline !== null;
        const pairedCell = (r: (typeof rows)[number]) => {
          const p = pairedFor(table, r);
          if (!p) return el('td', { className: 'num' }, r.arm === table.baseline ? '(baseline)' : '—');
          const text = `${p.mean >= 0 ? '+' : ''}${formatNumber(p.mean)} [${formatNumber(p.lo)}, ${formatNumber(p.hi)}]${p.significant ? ' *' : ''}`;
          return el('td', { className: 'num', 'data-field': 'paired', title: p.significant ? 'the 95% interval excludes 0' : 'the 95% interval includes 0' }, text);
        };
        tableBox.replaceChildren(
          el(
            'table',
            { 'data-testid': 'compare-table' },
            el('caption', { className: 'visually-hidden' }, `${metric}${condition ? `, ${condition} prompt` : ''}`),
            el('thead', {}, el('tr', {}, ...['arm', 'mean', '95% interval', 'seeds', ...(withPaired ? [`difference from ${table.baseline} (paired by seed)`] : [])].map((h, i) => el('th', { scope: 'col', className: i > 0 ? 'num' : '' }, h)))),
            el(
              'tbody',
              {},
              ...rows.map((r) =>
                el(
                  'tr',
                  { 'data-arm': r.arm },
                  el('th', { scope: 'row' }, r.arm),
                  el('td', { className: 'num', 'data-field': 'mean' }, formatNumber(r.mean)),
                  el('td', { className: 'num' }, r.lo === r.hi ? '—' : formatInterval(r.mean, r.lo, r.hi).replace(/^\S+ /, '')),
                  el('td', { className: 'num' }, r.n ?? '—'),
                  withPaired ? pairedCell(r) : '',
                ),
              ),
            ),
          ),
        );
        chart = new ChartView(compareSpec(rows, { metric, condition }), { testId: 'compare-chart' });
        chartBox.replaceChildren(chart.element, withPaired ? el('p', { className: 'hint' }, '* the paired difference\'s 95% interval excludes 0.') : '');
      };
      const renderConditions = () => {
        const present = conditionsOf(metric);
        const known = table.conditions.length > 0 ? [...new Set([...CONDITIONS, ...table.conditions])] : [...CONDITIONS];
        fieldset.replaceChildren(
          el('legend', {}, 'System prompt condition'),
          ...known.map((c) => {
            const input = el('input', { type: 'radio', name: 'condition', value: c, id: `condition-${c}`, checked: c === condition, disabled: !present.includes(c) });
            input.addEventListener('change', () => {
              condition = c;
              replaceQuery({ condition: c });
              render();
            });
            return el('label', { for: input.id, title: CONDITION_HINTS[c] ?? c }, input, ` ${c}`);
          }),
          present.includes(null) && present.length === 1 ? el('span', { className: 'hint' }, ' (this report has no prompt conditions)') : '',
        );
      };
      const metricSelect = select(table.metrics.map((m) => ({ value: m, label: m })), metric, (v) => {
        metric = v;
        fix();
        replaceQuery({ metric: v, condition: condition ?? undefined });
        renderConditions();
        render();
      });
      renderConditions();
      // An rl report also has curves against RL step and its own table of every metric.
      const view = rlView(report);
      const rlPart = view ? rlSection(view) : undefined;
      rl = rlPart;
      body.replaceChildren(
        el('div', { className: 'controls' }, labelled('Metric', metricSelect), fieldset),
        section('Arms', tableBox, chartBox),
        rlPart ? section('Over RL steps, and the deployed policy per arm', rlPart.element) : '',
        el('p', {}, el('a', { href: href.run(source) }, `Open ${source}`)),
      );
      render();
    }
    await show(query.get('metric') ?? undefined, query.get('condition') ?? undefined);
  }

  void load();
  return {
    title: 'Compare',
    element: root,
    dispose: () => {
      controller.abort();
      chart?.dispose();
      rl?.dispose();
    },
  };
}

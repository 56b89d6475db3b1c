// Run: what ran (manifest), its config, its loss and metric curves, checkpoints, results and report. While
// the run's status is "running" the page polls metrics.jsonl for new lines and the manifest for its status,
// and the charts grow in place.
import { api, runFileUrl } from '../api/client.ts';
import type { CheckpointInfo, RunDetail } from '../api/api_types.ts';
import { ChartView } from '../app/chart_view.ts';
import { el, message, section } from '../app/dom.ts';
import { formatBytes, formatNumber, formatTime } from '../app/format.ts';
import { every, heading, statusBadge, type Page } from '../app/page.ts';
import { href } from '../app/router.ts';
import { curveSpec } from '../charts/curves.ts';
import { INSPECTOR_KINDS, addEvents, emptyCurves } from '../data/metrics.ts';
import { renderMarkdown } from './report_markdown.ts';
import { rlSection } from './rl_section.ts';
import { rlView } from '../data/rl_report.ts';
import { isPersonaCheckpoint } from '../data/checkpoints.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function facts(detail: RunDetail): HTMLElement {
  const s = detail.summary;
  const m = isObject(detail.manifest) ? detail.manifest : {};
  const backend = isObject(m.backend) ? m.backend : {};
  const rows: [string, Node | string][] = [
    ['Experiment', s.experiment ?? '—'],
    ['Preset', s.preset ?? '—'],
    ['Seed', String(s.seed ?? '—')],
    ['Status', statusBadge(s.loadError ? 'unreadable' : (s.status ?? s.collection ?? 'unknown'), s.loadError ? 'error' : s.status)],
    ['Backend', s.backend ? `${s.backend}${typeof backend.reason === 'string' ? ` (${backend.reason})` : ''}` : '—'],
    ['Started', formatTime(s.startedAt)],
    ['Finished', formatTime(s.finishedAt)],
  ];
  if (typeof m.gitCommit === 'string') rows.push(['Commit', m.gitCommit.slice(0, 12)]);
  if (typeof m.routelabVersion === 'string') rows.push(['routelab', `${m.routelabVersion}, Node ${String(m.node ?? '?')}, ${String(m.platform ?? '?')}`]);
  if (Array.isArray(m.resumes) && m.resumes.length > 0) rows.push(['Resumed', `${m.resumes.length} time(s)`]);
  if (s.error) rows.push(['Error', el('span', { className: 'error-text' }, s.error)]);
  return el('dl', { className: 'facts', 'data-testid': 'run-facts' }, ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

function checkpointTable(runId: string, checkpoints: readonly CheckpointInfo[], experiment: string | undefined): HTMLElement {
  if (checkpoints.length === 0) return el('p', { className: 'hint' }, 'No checkpoints.');
  const metaSummary = (c: CheckpointInfo) => {
    const meta = c.metadata ?? {};
    const state = isObject(meta.state) ? meta.state : meta;
    const parts = Object.entries(state)
      .filter(([, v]) => typeof v === 'number' || typeof v === 'string')
      .slice(0, 4)
      .map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v) : String(v)}`);
    if ('modelConfig' in meta) parts.unshift('persona model');
    if (isPersonaCheckpoint(c, experiment)) parts.push('sampleable');
    return parts.join(', ');
  };
  return el(
    'table',
    { 'data-testid': 'checkpoints' },
    el('thead', {}, el('tr', {}, ...['Checkpoint', 'Size', 'Tensors', 'Saved', 'State', 'Files'].map((h) => el('th', { scope: 'col' }, h)))),
    el(
      'tbody',
      {},
      ...checkpoints.map((c) =>
        el(
          'tr',
          {},
          el('td', {}, c.name),
          el('td', { className: 'num' }, formatBytes(c.byteSize)),
          el('td', { className: 'num' }, c.tensors?.length ?? '—'),
          el('td', {}, formatTime(c.createdAt)),
          el('td', {}, c.problem ? el('span', { className: 'error-text' }, c.problem) : metaSummary(c)),
          el('td', {}, el('a', { href: runFileUrl(runId, c.file), download: '' }, 'safetensors'), ' · ', el('a', { href: runFileUrl(runId, c.manifestFile) }, 'manifest')),
        ),
      ),
    ),
  );
}

export function runPage(id: string): Page {
  const root = el('div', { 'data-page': 'run' }, heading(`Run ${id}`), el('p', {}, 'Loading…'));
  const charts = new Map<string, ChartView>();
  let curves = emptyCurves();
  let metricsNext = 0;
  let stopPolling: (() => void) | undefined;
  const chartsBox = el('div', { className: 'charts', 'data-testid': 'charts' });
  const finalsBox = el('div');
  const liveLine = el('p', { className: 'live', role: 'status', 'aria-live': 'polite', 'data-testid': 'live-status' });
  const statusBox = el('div');
  let status: string | undefined;
  const controller = new AbortController();
  let rl: { dispose: () => void } | undefined;

  function renderCurves(): void {
    // A metric measured at one step only (a final evaluation) reads better as a table than as a chart.
    const singleStep: { metric: string; step: number; series: string; value: number }[] = [];
    for (const [metric, points] of curves.byMetric) {
      const existing = charts.get(metric);
      if (!existing && points.every((p) => p.step === points[0]!.step)) {
        singleStep.push(...points.map((p) => ({ metric, ...p })));
        continue;
      }
      const finite = points.filter((p) => Number.isFinite(p.value));
      if (existing) {
        void existing.update('points', finite);
        continue;
      }
      const chart = new ChartView(curveSpec(points, { metric, logY: /loss/.test(metric) }), {
        caption: `${metric} (${new Set(points.map((p) => p.series)).size} series)`,
        testId: `chart-${metric}`,
      });
      charts.set(metric, chart);
      chartsBox.append(chart.element);
    }
    if (charts.size === 0) chartsBox.replaceChildren(el('p', { className: 'hint' }, 'No metric measured at more than one step yet.'));
    else chartsBox.querySelector(':scope > p.hint')?.remove();
    const rows: HTMLElement[] = [];
    if (singleStep.length > 0) {
      rows.push(
        el('h3', {}, 'Metrics at a single step'),
        el(
          'table',
          { 'data-testid': 'single-step-metrics' },
          el('thead', {}, el('tr', {}, ...['metric', 'series', 'step', 'value'].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, ...singleStep.map((p) => el('tr', {}, el('td', {}, p.metric), el('td', {}, p.series), el('td', { className: 'num' }, p.step), el('td', { className: 'num' }, formatNumber(p.value))))),
        ),
      );
    }
    if (curves.finals.length > 0) {
      const fields = [...new Set(curves.finals.flatMap((f) => Object.keys(f.values)))];
      rows.push(
        el('h3', {}, 'Final metrics (events without a step)'),
        el(
          'table',
          { 'data-testid': 'final-metrics' },
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'event'), el('th', { scope: 'col' }, 'series'), ...fields.map((f) => el('th', { scope: 'col', className: 'num' }, f)))),
          el('tbody', {}, ...curves.finals.map((f) => el('tr', {}, el('td', {}, f.kind), el('td', {}, f.series), ...fields.map((k) => el('td', { className: 'num' }, f.values[k] === undefined ? '' : formatNumber(f.values[k])))))),
        ),
      );
    }
    finalsBox.replaceChildren(...rows);
  }

  async function pollMetrics(): Promise<void> {
    const page = await api.allMetrics(id, metricsNext, { notKind: [...INSPECTOR_KINDS] }, controller.signal);
    metricsNext = page.next;
    if (page.events.length > 0) {
      addEvents(curves, page.events);
      renderCurves();
    }
    liveLine.textContent = status === 'running' ? `Live: ${metricsNext} metric lines so far` : `${metricsNext} metric lines`;
    liveLine.dataset.lines = String(metricsNext);
  }

  async function pollStatus(): Promise<void> {
    const detail = await api.run(id, controller.signal);
    const next = detail.summary.status;
    if (next !== status) {
      status = next;
      statusBox.replaceChildren(facts(detail));
      if (status !== 'running') {
        // The run ended: draw the page again from scratch (its report, checkpoints and results are new).
        stopPolling?.();
        stopPolling = undefined;
        for (const c of charts.values()) c.dispose();
        charts.clear();
        chartsBox.replaceChildren();
        curves = emptyCurves();
        metricsNext = 0;
        await load();
      }
    }
  }

  async function load(): Promise<void> {
    let detail: RunDetail;
    try {
      detail = await api.run(id, controller.signal);
    } catch (err) {
      root.replaceChildren(heading(`Run ${id}`), message('error', `Could not load this run: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    status = detail.summary.status;
    statusBox.replaceChildren(facts(detail));
    const links = el(
      'p',
      { className: 'links' },
      el('a', { href: href.inspect(id) }, 'Inspect routed parameters'),
      ' · ',
      el('a', { href: href.compare({ source: id }) }, 'Compare arms in this report'),
      detail.checkpoints.some((c) => isPersonaCheckpoint(c, detail.summary.experiment)) ? [' · ', el('a', { href: href.sample({ run: id }) }, 'Sample from a checkpoint')] : null,
    );
    const reportPart = detail.reportMarkdown
      ? renderMarkdown(detail.reportMarkdown)
      : el('p', { className: 'hint' }, detail.summary.reportError ?? (status === 'running' ? 'The report is written when the run finishes.' : 'No report.'));
    // An rl report (a run or a compare of the rl experiment): its curves against RL step and its table.
    rl?.dispose();
    const view = rlView(detail.report);
    const rlPart = view ? rlSection(view) : undefined;
    rl = rlPart;
    root.replaceChildren(
      heading(`Run ${id}`),
      detail.summary.loadError ? message('error', `This run could not be read: ${detail.summary.loadError}`, { 'data-testid': 'run-error' }) : '',
      statusBox,
      links,
      rlPart ? section('Reward hacking under RL, per arm', rlPart.element) : '',
      section('Metrics', liveLine, chartsBox, finalsBox),
      section('Report', reportPart),
      section('Checkpoints', checkpointTable(id, detail.checkpoints, detail.summary.experiment)),
      section(
        'Results',
        detail.results.length === 0
          ? el('p', { className: 'hint' }, 'No saved results.')
          : el('ul', { 'data-testid': 'results' }, ...detail.results.map((r) => el('li', {}, el('a', { href: runFileUrl(id, `results/${r}.json`) }, r)))),
      ),
      section(
        'Configuration',
        detail.configError ? message('error', detail.configError) : null,
        detail.config !== undefined ? el('pre', { className: 'json', 'data-testid': 'config', tabindex: 0, 'aria-label': 'config.json' }, JSON.stringify(detail.config, null, 2)) : el('p', { className: 'hint' }, 'No config.json.'),
      ),
    );
    try {
      await pollMetrics();
    } catch (err) {
      chartsBox.replaceChildren(message('error', `Could not read metrics.jsonl: ${err instanceof Error ? err.message : String(err)}`));
    }
    if (status === 'running') {
      const stopMetrics = every(1500, pollMetrics);
      const stopStatus = every(3000, pollStatus);
      stopPolling = () => {
        stopMetrics();
        stopStatus();
      };
    }
  }

  void load();
  return {
    title: `Run ${id}`,
    element: root,
    dispose: () => {
      controller.abort();
      stopPolling?.();
      for (const c of charts.values()) c.dispose();
      rl?.dispose();
    },
  };
}

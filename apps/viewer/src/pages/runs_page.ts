// Runs: every run in the runs directory with experiment, preset, seed, status and key metrics; a filter box,
// a status filter and sortable columns. A run that cannot be read shows its error in its own row. The list
// refreshes every few seconds, so new runs appear and running ones change status.
import { api } from '../api/client.ts';
import type { KeyMetricValue, RunSummary } from '../api/api_types.ts';
import { clear, el, labelled, message, select } from '../app/dom.ts';
import { formatTime, formatValue } from '../app/format.ts';
import { every, heading, statusBadge, type Page } from '../app/page.ts';
import { href, replaceQuery } from '../app/router.ts';
import { filterRuns, sortRuns, statusOf, type SortKey } from '../data/run_list.ts';

const COLUMNS: { key: SortKey | null; label: string; numeric?: boolean }[] = [
  { key: 'id', label: 'Run' },
  { key: 'experiment', label: 'Experiment' },
  { key: 'preset', label: 'Preset' },
  { key: 'seed', label: 'Seed', numeric: true },
  { key: 'status', label: 'Status' },
  { key: 'startedAt', label: 'Started' },
  { key: null, label: 'Key metrics' },
];

const STATUS_FILTERS = [
  { value: '', label: 'all' },
  { value: 'running', label: 'running' },
  { value: 'finished', label: 'finished' },
  { value: 'failed', label: 'failed' },
  { value: 'interrupted', label: 'interrupted' },
  { value: 'error', label: 'unreadable' },
  { value: 'collection', label: 'compare / sweep' },
];

function metricsCell(r: RunSummary): HTMLElement {
  if (r.loadError) return el('td', {}, el('span', { className: 'error-text', 'data-testid': 'load-error' }, r.loadError));
  const items = Object.entries(r.keyMetrics) as [string, KeyMetricValue][];
  const notes = [r.error ? el('div', { className: 'error-text' }, `error: ${r.error}`) : null, r.reportError ? el('div', { className: 'error-text' }, r.reportError) : null];
  if (items.length === 0) return el('td', {}, r.hasReport ? '—' : el('span', { className: 'hint' }, 'no report yet'), ...notes);
  return el(
    'td',
    {},
    el('ul', { className: 'metrics-list' }, ...items.map(([k, v]) => el('li', {}, el('span', { className: 'k' }, `${k}: `), el('span', { className: 'v', 'data-metric': k }, formatValue(v))))),
    ...notes,
  );
}

function row(r: RunSummary): HTMLTableRowElement {
  const status = statusOf(r);
  const link =
    r.kind === 'collection'
      ? el('a', { href: href.compare({ source: r.id }) }, r.id)
      : el('a', { href: href.run(r.id) }, r.id);
  return el(
    'tr',
    { className: r.loadError ? 'row-error' : '', 'data-run': r.id },
    el('td', {}, link),
    el('td', {}, r.experiment ?? '—'),
    el('td', {}, r.preset ?? '—'),
    el('td', { className: 'num' }, r.seed ?? '—'),
    el('td', {}, r.kind === 'collection' ? statusBadge(r.collection ?? 'report', 'collection') : statusBadge(status === 'error' ? 'unreadable' : status, status)),
    el('td', {}, formatTime(r.startedAt)),
    metricsCell(r),
  );
}

export function runsPage(query: URLSearchParams): Page {
  let runs: RunSummary[] = [];
  let filter = query.get('q') ?? '';
  let status = query.get('status') ?? '';
  let sortKey = (COLUMNS.some((c) => c.key === query.get('sort')) ? query.get('sort') : 'startedAt') as SortKey;
  let sortDir: 'asc' | 'desc' = query.get('dir') === 'asc' ? 'asc' : query.get('dir') === 'desc' ? 'desc' : 'desc';

  const filterBox = el('input', { type: 'search', value: filter, placeholder: 'experiment, status, run name…', autocomplete: 'off' });
  const count = el('p', { className: 'hint', role: 'status', 'aria-live': 'polite', 'data-testid': 'run-count' });
  const tbody = el('tbody');
  const headRow = el('tr');
  const table = el('table', { className: 'wide', 'aria-describedby': 'runs-caption' }, el('caption', { id: 'runs-caption', className: 'visually-hidden' }, 'Runs; column headers sort the table'), el('thead', {}, headRow), tbody);
  const runsDir = el('p', { className: 'hint' });
  const problem = el('div');

  function renderHead(): void {
    clear(headRow);
    for (const c of COLUMNS) {
      if (!c.key) {
        headRow.append(el('th', { scope: 'col' }, c.label));
        continue;
      }
      const key = c.key;
      const active = sortKey === key;
      const button = el('button', { type: 'button', className: 'link-like', 'data-sort': key }, c.label, active ? (sortDir === 'asc' ? ' ▲' : ' ▼') : '');
      button.addEventListener('click', () => {
        sortDir = active && sortDir === 'asc' ? 'desc' : active ? 'asc' : key === 'startedAt' ? 'desc' : 'asc';
        sortKey = key;
        replaceQuery({ sort: sortKey, dir: sortDir });
        renderHead();
        renderBody();
        headRow.querySelector<HTMLButtonElement>(`[data-sort="${key}"]`)?.focus();
      });
      headRow.append(el('th', { scope: 'col', className: c.numeric ? 'num' : '', 'aria-sort': active ? (sortDir === 'asc' ? 'ascending' : 'descending') : 'none' }, button));
    }
  }

  function renderBody(): void {
    // Keep keyboard focus on the same run's link across refreshes.
    const focusedRun = (document.activeElement?.closest('tr') as HTMLElement | null)?.dataset.run;
    const shown = sortRuns(filterRuns(runs, filter, status), sortKey, sortDir);
    tbody.replaceChildren(...shown.map(row));
    if (shown.length === 0) tbody.append(el('tr', {}, el('td', { colspan: COLUMNS.length }, runs.length === 0 ? 'No runs in this directory yet.' : 'No run matches the filter.')));
    count.textContent = `${shown.length} of ${runs.length} run${runs.length === 1 ? '' : 's'} shown`;
    if (focusedRun) tbody.querySelector<HTMLElement>(`tr[data-run="${CSS.escape(focusedRun)}"] a`)?.focus();
  }

  async function load(): Promise<void> {
    try {
      const list = await api.runs();
      runs = list.runs;
      runsDir.textContent = `Runs directory: ${list.runsDir}`;
      problem.replaceChildren();
      renderBody();
    } catch (err) {
      problem.replaceChildren(message('error', `Could not load the runs: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  filterBox.addEventListener('input', () => {
    filter = filterBox.value;
    replaceQuery({ q: filter });
    renderBody();
  });
  const statusSelect = select(STATUS_FILTERS, status, (v) => {
    status = v;
    replaceQuery({ status: v });
    renderBody();
  });

  renderHead();
  void load();
  const stop = every(4000, load);
  return {
    title: 'Runs',
    element: el(
      'div',
      { 'data-page': 'runs' },
      heading('Runs'),
      runsDir,
      el('div', { className: 'controls', role: 'search' }, labelled('Filter runs', filterBox, 'matches run name, experiment, status and metrics'), labelled('Status', statusSelect)),
      problem,
      count,
      table,
    ),
    dispose: stop,
  };
}

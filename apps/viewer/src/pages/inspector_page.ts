// Routed-parameter inspector: for one cell and one parameter, heatmaps of gradient mass per neuron over the
// training snapshots, one panel per label class, with the region routing sent that class outlined; the
// share of each class's mass that stayed in its region; metrics before and after ablation; and, for MNIST,
// test digits reconstructed from the whole code and from each half.
import { api } from '../api/client.ts';
import type { RunDetail } from '../api/api_types.ts';
import { ChartView } from '../app/chart_view.ts';
import { el, labelled, message, section, select } from '../app/dom.ts';
import { formatNumber } from '../app/format.ts';
import { every, heading, type Page } from '../app/page.ts';
import { href, replaceQuery } from '../app/router.ts';
import { heatmapSpec, massTotalsSpec } from '../charts/heatmap.ts';
import { ablationPairs, halfReadouts } from '../data/ablation.ts';
import { classesOf, heatmapCells, massSnapshots, massTotals, parametersOf, shareInside, type MassSnapshot } from '../data/gradient_mass.ts';
import { regionsForParameter, routingFor } from '../data/regions.ts';
import { RECONSTRUCTION_COLUMNS, parseReconstructions, reconstructionResults, type Reconstructions } from '../data/reconstructions.ts';

function digitCanvas(pixels: readonly number[], label: string): HTMLCanvasElement {
  const canvas = el('canvas', { width: 28, height: 28, className: 'digit', role: 'img', 'aria-label': label });
  const ctx = canvas.getContext('2d');
  if (!ctx) return canvas;
  const image = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(255 * (1 - Math.min(1, Math.max(0, pixels[i] ?? 0))));
    image.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

function reconstructionGrid(r: Reconstructions): HTMLElement {
  const grid = el('div', { className: 'recon-grid', role: 'group', 'aria-label': `Test digits reconstructed by arm ${r.arm}`, 'data-testid': 'reconstructions' });
  grid.style.gridTemplateColumns = `max-content repeat(${RECONSTRUCTION_COLUMNS.length}, max-content)`;
  grid.append(el('span', { className: 'head' }, 'digit'), ...RECONSTRUCTION_COLUMNS.map((c) => el('span', { className: 'head' }, c.label)));
  r.digits.forEach((digit, i) => {
    grid.append(el('span', {}, String(digit)), ...RECONSTRUCTION_COLUMNS.map((c) => digitCanvas(r.images[c.key][i]!, `digit ${digit}, ${c.label}`)));
  });
  return grid;
}

function ablationSection(detail: RunDetail, resultJson: Map<string, unknown>): HTMLElement {
  const parts: HTMLElement[] = [];
  const halves = halfReadouts(detail.report);
  if (halves) {
    parts.push(
      el('p', {}, 'Test MAE read from the whole code (the autoencoder) and from one half of it (each certificate decoder; the other half ablated). Routing works when a half reconstructs the digits routed to it much better than the others.'),
      el(
        'table',
        { 'data-testid': 'half-readouts' },
        el('thead', {}, el('tr', {}, ...['arm', 'read from', `MAE on ${halves.forgetLabel} (forget)`, `MAE on ${halves.retainLabel} (retain)`].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, ...halves.rows.map((r) => el('tr', {}, el('td', {}, r.arm), el('td', {}, r.readout), el('td', { className: 'num' }, formatNumber(r.forget)), el('td', { className: 'num' }, formatNumber(r.retain))))),
      ),
    );
  }
  const pairs = [...ablationPairs(detail.report).map((p) => ({ ...p, source: 'report' })), ...[...resultJson].flatMap(([name, json]) => ablationPairs(json).map((p) => ({ ...p, source: name })))];
  if (pairs.length > 0) {
    parts.push(
      el(
        'table',
        { 'data-testid': 'ablation-pairs' },
        el('thead', {}, el('tr', {}, ...['source', 'where', 'metric', 'before ablation', 'after ablation'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, ...pairs.map((p) => el('tr', { 'data-source': p.source, 'data-where': p.where, 'data-metric': p.metric }, el('td', {}, p.source), el('td', {}, p.where), el('td', {}, p.metric), el('td', { className: 'num' }, p.before === undefined ? '—' : formatNumber(p.before)), el('td', { className: 'num' }, p.after === undefined ? '—' : formatNumber(p.after))))),
      ),
    );
  }
  if (parts.length === 0) parts.push(el('p', { className: 'hint' }, 'This run reports no metrics before and after ablation.'));
  return section('Metrics before and after ablation', ...parts);
}

export function inspectorPage(id: string, query: URLSearchParams): Page {
  const root = el('div', { 'data-page': 'inspect' }, heading(`Inspector: ${id}`), el('p', {}, 'Loading…'));
  const controller = new AbortController();
  let charts: ChartView[] = [];
  let stopPolling: (() => void) | undefined;

  async function load(): Promise<void> {
    let detail: RunDetail;
    let events: unknown[];
    let next: number;
    try {
      detail = await api.run(id, controller.signal);
      ({ events, next } = await api.allMetrics(id, 0, { kind: ['gradient-mass'] }, controller.signal));
    } catch (err) {
      root.replaceChildren(heading(`Inspector: ${id}`), message('error', `Could not load this run: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    let byCell = massSnapshots(events);
    const cells = [...byCell.keys()];
    let cell = cells.includes(query.get('cell') ?? '') ? query.get('cell')! : cells[0];
    let parameter = query.get('param') ?? undefined;
    let logColor = query.get('log') !== '0';
    let normalizeRows = query.get('norm') === '1';

    const heatmapBox = el('div', { 'data-testid': 'heatmap-box' });
    const totalsBox = el('div');
    const shareBox = el('ul', { 'data-testid': 'region-shares' });
    const routingNote = el('p', { className: 'hint', 'data-testid': 'routing-note' });
    const controls = el('div', { className: 'controls' });

    function snapshots(): MassSnapshot[] {
      return cell ? (byCell.get(cell) ?? []) : [];
    }

    function renderControls(): void {
      const params = parametersOf(snapshots());
      if (!parameter || !params.some((p) => p.name === parameter)) {
        // Default: a parameter the config routes (it has outlines), else any with per-neuron mass.
        const routing = routingFor(detail.config, cell);
        const outlined = params.find((p) => p.neurons > 0 && regionsForParameter(routing, p.name, p.neurons, ['forget']).length > 0);
        parameter = outlined?.name ?? params.find((p) => p.neurons > 0)?.name ?? params[0]?.name;
      }
      const logBox = el('input', { type: 'checkbox', checked: logColor, id: 'log-colour' });
      logBox.addEventListener('change', () => {
        logColor = logBox.checked;
        replaceQuery({ log: logColor ? undefined : '0' });
        renderCharts();
      });
      const normBox = el('input', { type: 'checkbox', checked: normalizeRows, id: 'normalise-rows' });
      normBox.addEventListener('change', () => {
        normalizeRows = normBox.checked;
        replaceQuery({ norm: normalizeRows ? '1' : undefined });
        renderCharts();
      });
      controls.replaceChildren(
        labelled(
          'Cell',
          select(cells.map((c) => ({ value: c, label: c })), cell, (v) => {
            cell = v;
            replaceQuery({ cell: v });
            renderControls();
            renderCharts();
          }),
        ),
        labelled(
          'Parameter',
          select(params.map((p) => ({ value: p.name, label: p.neurons > 0 ? `${p.name} (${p.neurons} neurons)` : `${p.name} (total only)` })), parameter, (v) => {
            parameter = v;
            replaceQuery({ param: v });
            renderCharts();
          }),
        ),
        el('div', { className: 'checkbox' }, logBox, el('label', { for: 'log-colour' }, 'log colour scale')),
        el('div', { className: 'checkbox' }, normBox, el('label', { for: 'normalise-rows' }, 'normalise each step')),
      );
    }

    function renderCharts(): void {
      for (const c of charts) c.dispose();
      charts = [];
      const snaps = snapshots();
      const params = parametersOf(snaps);
      const info = params.find((p) => p.name === parameter);
      if (!info || !parameter) {
        heatmapBox.replaceChildren(message('info', 'No parameters in the gradient-mass snapshots of this cell.'));
        totalsBox.replaceChildren();
        shareBox.replaceChildren();
        return;
      }
      const classes = classesOf(snaps);
      const routing = routingFor(detail.config, cell);
      const regions = info.neurons > 0 ? regionsForParameter(routing, parameter, info.neurons, classes) : [];
      routingNote.textContent =
        routing.note ??
        (regions.length > 0
          ? `Outlined: the region routing sends each class to (solid) and the other declared regions (dashed)${routing.scheme ? `, scheme ${routing.scheme}` : ''}.`
          : 'The run config declares no routed region on this parameter.');
      if (info.neurons > 0) {
        const chart = new ChartView(heatmapSpec(heatmapCells(snaps, parameter), regions, { parameter, classes, logColor, normalizeRows }), {
          caption: `Gradient mass per neuron of ${parameter}, cell ${cell}, ${snaps.length} snapshots`,
          testId: 'heatmap',
        });
        charts.push(chart);
        heatmapBox.replaceChildren(chart.element);
      } else {
        heatmapBox.replaceChildren(message('info', `${parameter}: only its total mass was recorded (no per-neuron mass).`));
      }
      const totals = new ChartView(massTotalsSpec(massTotals(snaps, parameter), parameter), { caption: `Total gradient mass of ${parameter} per class`, testId: 'mass-totals' });
      charts.push(totals);
      totalsBox.replaceChildren(totals.element);
      shareBox.replaceChildren(
        ...regions
          .filter((r) => r.routed)
          .map((r) => {
            const share = shareInside(snaps, parameter!, r.cls, r.from, r.to);
            return el('li', { 'data-class': r.cls }, `${r.cls}: `, el('strong', {}, share === undefined ? 'no mass' : `${(share * 100).toFixed(1)}%`), ` of its per-neuron mass in ${r.label}`);
          }),
      );
    }

    // Reconstructions and result files with ablation numbers.
    const resultJson = new Map<string, unknown>();
    for (const name of detail.results.filter((r) => !r.startsWith('reconstructions/')).slice(0, 40)) {
      try {
        resultJson.set(name, await api.file(id, `results/${name}.json`, controller.signal));
      } catch {
        // a result that cannot be read is left out of the ablation table
      }
    }
    const recon: Reconstructions[] = [];
    for (const name of reconstructionResults(detail.results)) {
      try {
        const parsed = parseReconstructions(await api.file(id, `results/${name}.json`, controller.signal));
        if (parsed) recon.push(parsed);
      } catch {
        // skipped
      }
    }

    const reconBox = el('div');
    const renderRecon = (arm: string) => {
      const r = recon.find((x) => x.arm === arm) ?? recon[0];
      reconBox.replaceChildren(r ? reconstructionGrid(r) : el('p', {}, 'none'));
    };
    const reconPart =
      recon.length === 0
        ? null
        : section(
            'Reconstructions of test digits',
            el('p', {}, 'Each row: a test digit, the autoencoder\'s reconstruction from the whole code, and each certificate\'s reconstruction from one half of the code.'),
            el('div', { className: 'controls' }, labelled('Arm', select(recon.map((r) => ({ value: r.arm, label: r.arm })), cell?.split('/')[0], renderRecon))),
            reconBox,
          );
    if (recon.length > 0) renderRecon(cell?.split('/')[0] ?? recon[0]!.arm);

    root.replaceChildren(
      heading(`Inspector: ${id}`),
      el('p', {}, el('a', { href: href.run(id) }, `Back to run ${id}`)),
      cells.length === 0
        ? message('info', 'This run recorded no gradient mass (no "gradient-mass" events in metrics.jsonl).', { 'data-testid': 'no-mass' })
        : section('Gradient mass per neuron', controls, routingNote, shareBox, heatmapBox, totalsBox),
      ablationSection(detail, resultJson),
      reconPart ?? '',
    );
    if (cells.length > 0) {
      renderControls();
      renderCharts();
    }
    if (detail.summary.status === 'running') {
      stopPolling = every(3000, async () => {
        const page = await api.allMetrics(id, next, { kind: ['gradient-mass'] }, controller.signal);
        next = page.next;
        if (page.events.length === 0) return;
        events.push(...page.events);
        byCell = massSnapshots(events);
        renderCharts();
      });
    }
  }

  void load();
  return {
    title: `Inspector ${id}`,
    element: root,
    dispose: () => {
      controller.abort();
      stopPolling?.();
      for (const c of charts) c.dispose();
    },
  };
}

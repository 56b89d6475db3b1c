// Routed-parameter inspector: for one cell, heatmaps of gradient mass per parameter block and per unit over
// the training snapshots, one panel per label class, with the region routing sent each class outlined (read
// from the cell's arm's scheme config, see data/regions.ts); the share of each class's mass in its region; the
// cell's rates before and after ablation and its leak measure (from its result file); metrics before and after
// ablation across the run's reports; and, for MNIST, test digits reconstructed from the whole code and from
// each half.
import { api } from '../api/client.ts';
import type { RunDetail } from '../api/api_types.ts';
import { el, labelled, message, section, select } from '../app/dom.ts';
import { formatNumber } from '../app/format.ts';
import { every, heading, type Page } from '../app/page.ts';
import { href } from '../app/router.ts';
import { ablationPairs, halfReadouts } from '../data/ablation.ts';
import { cellResult, isCellResult, metricsToShow } from '../data/cell_result.ts';
import { massSnapshots } from '../data/gradient_mass.ts';
import { RECONSTRUCTION_COLUMNS, parseReconstructions, reconstructionResults, type Reconstructions } from '../data/reconstructions.ts';
import { cellEvaluationSection, leakSection } from './inspector_sections.ts';
import { MassSection } from './mass_section.ts';

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

/** `results`: result files other than cell results (a cell's own table shows those). */
function ablationSection(detail: RunDetail, resultJson: ReadonlyMap<string, unknown>): HTMLElement {
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
  let mass: MassSection | undefined;
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
    const cell = cells.includes(query.get('cell') ?? '') ? query.get('cell')! : cells[0];

    // Result files: the cell's own (rates before and after ablation, leak) and any with ablation numbers.
    const resultJson = new Map<string, unknown>();
    for (const name of detail.results.filter((r) => !r.startsWith('reconstructions/')).slice(0, 40)) {
      try {
        resultJson.set(name, await api.file(id, `results/${name}.json`, controller.signal));
      } catch {
        // a result that cannot be read is left out
      }
    }
    const cellBox = el('div', { 'data-testid': 'cell-result' });
    const renderCell = (c: string | undefined) => {
      const view = cellResult(resultJson, c);
      cellBox.replaceChildren(...(view ? [cellEvaluationSection(view, metricsToShow(detail.report, view)), leakSection(view)] : []));
    };
    renderCell(cell);

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

    if (cells.length > 0) {
      // Loaded here, not with the app: the routing package's schemas weigh as much as the rest of the page.
      const regions = await import('../data/regions.ts');
      mass = new MassSection({
        regions,
        cells,
        cell,
        query,
        snapshots: (c) => (c ? (byCell.get(c) ?? []) : []),
        routing: (c) => regions.routingFor(detail.config, c),
        onCell: renderCell,
      });
    }
    root.replaceChildren(
      heading(`Inspector: ${id}`),
      el('p', {}, el('a', { href: href.run(id) }, `Back to run ${id}`)),
      mass ? section('Gradient mass', mass.element) : message('info', 'This run recorded no gradient mass (no "gradient-mass" events in metrics.jsonl).', { 'data-testid': 'no-mass' }),
      cellBox,
      ablationSection(detail, new Map([...resultJson].filter(([, json]) => !isCellResult(json)))),
      reconPart ?? '',
    );
    if (detail.summary.status === 'running') {
      stopPolling = every(3000, async () => {
        const page = await api.allMetrics(id, next, { kind: ['gradient-mass'] }, controller.signal);
        next = page.next;
        if (page.events.length === 0) return;
        events.push(...page.events);
        byCell = massSnapshots(events);
        mass?.renderCharts();
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
      mass?.dispose();
    },
  };
}

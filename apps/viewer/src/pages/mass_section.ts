// The inspector's gradient-mass part for one cell: per parameter block (every parameter's total per class and
// snapshot, the routed region outlined) and per unit (per-neuron mass of the parameters the experiment
// records it for; a block whose units span several parameters, such as a transformer MLP's original and
// expanded input weights, is drawn as one axis), each with the share of a class's mass inside its region.
import { ChartView } from '../app/chart_view.ts';
import { el, labelled, message, select } from '../app/dom.ts';
import { replaceQuery } from '../app/router.ts';
import { blockHeatmapSpec } from '../charts/block_heatmap.ts';
import { heatmapSpec, massTotalsSpec } from '../charts/heatmap.ts';
import {
  blockCells, classesOf, massTotals, parameterOrder, segmentCells, shareInsideSegments, shareOutsideParameters, unitViews, type MassSnapshot, type UnitView,
} from '../data/gradient_mass.ts';
import type { RoutingDeclaration } from '../data/regions.ts';
import type * as Regions from '../data/regions.ts';

const pct = (share: number | undefined, digits = 1) => (share === undefined ? 'no mass' : `${(share * 100).toFixed(digits)}%`);

export interface MassSectionArgs {
  cells: readonly string[];
  cell: string | undefined;
  query: URLSearchParams;
  snapshots: (cell: string | undefined) => MassSnapshot[];
  routing: (cell: string | undefined) => RoutingDeclaration;
  /** data/regions.ts, loaded on demand (it brings the routing package's schemas into the page). */
  regions: Pick<typeof Regions, 'regionOf' | 'regionsForSegments'>;
  /** Called when the reader picks another cell (the page redraws what depends on it). */
  onCell: (cell: string) => void;
}

export class MassSection {
  readonly element: HTMLElement;
  private cell: string | undefined;
  private view: string | undefined;
  private logColor: boolean;
  private normalizeRows: boolean;
  private charts: ChartView[] = [];
  private readonly controls = el('div', { className: 'controls' });
  private readonly routingNote = el('p', { className: 'hint', 'data-testid': 'routing-note' });
  private readonly blockShares = el('ul', { 'data-testid': 'block-shares' });
  private readonly blockBox = el('div', { 'data-testid': 'block-box' });
  private readonly shareBox = el('ul', { 'data-testid': 'region-shares' });
  private readonly heatmapBox = el('div', { 'data-testid': 'heatmap-box' });
  private readonly totalsBox = el('div');

  constructor(private readonly args: MassSectionArgs) {
    this.cell = args.cell;
    this.view = args.query.get('param') ?? undefined;
    this.logColor = args.query.get('log') !== '0';
    this.normalizeRows = args.query.get('norm') === '1';
    this.element = el(
      'div',
      {},
      this.controls,
      this.routingNote,
      el('h3', {}, 'Per parameter block'),
      el('p', { className: 'hint' }, 'Total squared gradient of each parameter, per label class, at each snapshot. Outlined, with names in red: the routed region (where the forget class\'s gradient should go; ablated after training).'),
      this.blockShares,
      this.blockBox,
      el('h3', {}, 'Per unit'),
      this.shareBox,
      this.heatmapBox,
      this.totalsBox,
    );
    this.render();
  }

  private views(): UnitView[] {
    return unitViews(this.args.snapshots(this.cell));
  }

  render(): void {
    this.renderControls();
    this.renderCharts();
  }

  private renderControls(): void {
    const views = this.views();
    const routing = this.args.routing(this.cell);
    if (!this.view || !views.some((v) => v.id === this.view)) {
      // Default: a view the config routes (it has an outline for forget), else the first.
      const outlined = views.find((v) => this.args.regions.regionsForSegments(routing, v.segments, ['forget']).some((r) => r.routed));
      this.view = (outlined ?? views[0])?.id;
    }
    const checkbox = (id: string, checked: boolean, label: string, set: (v: boolean) => void) => {
      const box = el('input', { type: 'checkbox', checked, id });
      box.addEventListener('change', () => {
        set(box.checked);
        this.renderCharts();
      });
      return el('div', { className: 'checkbox' }, box, el('label', { for: id }, label));
    };
    this.controls.replaceChildren(
      labelled(
        'Cell',
        select(this.args.cells.map((c) => ({ value: c, label: c })), this.cell, (v) => {
          this.cell = v;
          replaceQuery({ cell: v });
          this.args.onCell(v);
          this.render();
        }),
      ),
      labelled(
        'Parameter',
        select(views.map((v) => ({ value: v.id, label: v.label })), this.view, (v) => {
          this.view = v;
          replaceQuery({ param: v });
          this.renderCharts();
        }),
      ),
      checkbox('log-colour', this.logColor, 'log colour scale', (v) => {
        this.logColor = v;
        replaceQuery({ log: v ? undefined : '0' });
      }),
      checkbox('normalise-rows', this.normalizeRows, 'normalise each step', (v) => {
        this.normalizeRows = v;
        replaceQuery({ norm: v ? '1' : undefined });
      }),
    );
  }

  dispose(): void {
    for (const c of this.charts) c.dispose();
    this.charts = [];
  }

  private chart(spec: ConstructorParameters<typeof ChartView>[0], caption: string, testId: string): HTMLElement {
    const chart = new ChartView(spec, { caption, testId });
    this.charts.push(chart);
    return chart.element;
  }

  renderCharts(): void {
    this.dispose();
    const snaps = this.args.snapshots(this.cell);
    const classes = classesOf(snaps);
    const routing = this.args.routing(this.cell);
    const view = this.views().find((v) => v.id === this.view);
    const regions = view ? this.args.regions.regionsForSegments(routing, view.segments, classes) : [];
    const pairs = routing.contributionPairs.map((p) => `${p.original} / ${p.expanded}`).join(', ');
    this.routingNote.textContent =
      routing.note ??
      `Scheme ${routing.scheme ?? '?'}${pairs ? ` routes through the contribution hooks ${pairs}` : ''}; routed region: ${routing.region.map((r) => r.pattern).join(', ') || 'none declared on parameters'}.`;

    // Per parameter block.
    const order = parameterOrder(snaps);
    const inRegion = (p: string) => this.args.regions.regionOf(routing, p).length > 0;
    const region = new Set(order.filter(inRegion));
    this.blockShares.replaceChildren(
      ...(region.size === 0
        ? []
        : classes.map((cls) => el('li', { 'data-class': cls }, `${cls}: `, el('strong', {}, pct(shareOutsideParameters(snaps, cls, inRegion), 2)), ` of its gradient mass outside the routed region (mean over ${snaps.length} snapshots)`))),
    );
    this.blockBox.replaceChildren(
      order.length === 0
        ? message('info', 'No parameters in the gradient-mass snapshots of this cell.')
        : this.chart(blockHeatmapSpec(blockCells(snaps), { classes, order, inRegion: region, logColor: this.logColor }), `Gradient mass per parameter of cell ${this.cell}, ${snaps.length} snapshots`, 'block-heatmap'),
    );

    // Per unit.
    if (!view) {
      this.heatmapBox.replaceChildren(message('info', 'No per-neuron gradient mass was recorded for this cell.'));
      this.totalsBox.replaceChildren();
      this.shareBox.replaceChildren();
      return;
    }
    this.heatmapBox.replaceChildren(
      this.chart(
        heatmapSpec(segmentCells(snaps, view.segments), regions, { parameter: view.label, classes, logColor: this.logColor, normalizeRows: this.normalizeRows }),
        `Gradient mass per neuron of ${view.label}, cell ${this.cell}, ${snaps.length} snapshots`,
        'heatmap',
      ),
    );
    const totalsOf = view.segments.length === 1 ? view.segments[0]!.parameter : undefined;
    this.totalsBox.replaceChildren(totalsOf ? this.chart(massTotalsSpec(massTotals(snaps, totalsOf), totalsOf), `Total gradient mass of ${totalsOf} per class`, 'mass-totals') : '');
    this.shareBox.replaceChildren(
      ...regions
        .filter((r) => r.routed)
        .map((r) => el('li', { 'data-class': r.cls }, `${r.cls}: `, el('strong', {}, pct(shareInsideSegments(snaps, view.segments, r.cls, r.from, r.to))), ` of its per-neuron mass in ${r.label}`)),
    );
  }
}

// A Vega-Lite chart in the page (vega-embed, SVG renderer so the chart carries its description as an ARIA
// label and tests can read it). `update` swaps a named dataset's rows in place, for live runs.
import embed, { type Result } from 'vega-embed';
import type { TopLevelSpec } from 'vega-lite';
import { changeset } from 'vega';
import { el } from './dom.ts';

export class ChartView {
  readonly element: HTMLElement;
  private result: Result | undefined;
  private pending: Promise<void>;

  constructor(spec: TopLevelSpec, options: { caption?: string; testId?: string } = {}) {
    const target = el('div', { className: 'chart-target' });
    this.element = el('figure', { className: 'chart', 'data-testid': options.testId }, target, options.caption ? el('figcaption', {}, options.caption) : null);
    this.pending = this.render(target, spec);
  }

  private async render(target: HTMLElement, spec: TopLevelSpec): Promise<void> {
    try {
      this.result = await embed(target, spec, { renderer: 'svg', actions: false, tooltip: true });
      this.element.dataset.rendered = 'true';
    } catch (err) {
      target.textContent = `chart failed: ${err instanceof Error ? err.message : String(err)}`;
      this.element.dataset.rendered = 'error';
    }
  }

  /** Resolves when the chart has been drawn (or failed). */
  get ready(): Promise<void> {
    return this.pending;
  }

  /** Replaces the rows of the named dataset and redraws. */
  update(dataset: string, rows: readonly object[]): Promise<void> {
    this.pending = this.pending.then(async () => {
      if (!this.result) return;
      const values = rows.map((r) => ({ ...r }));
      await this.result.view.change(dataset, changeset().remove(() => true).insert(values)).runAsync();
    });
    return this.pending;
  }

  dispose(): void {
    this.result?.finalize();
  }
}

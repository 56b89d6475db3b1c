// Parts of the inspector page about one cell's result file: its rates before and after ablation under each
// prompt condition, and where its forget-class gradient went (the share outside the ablated region).
import { el, section } from '../app/dom.ts';
import { formatNumber } from '../app/format.ts';
import type { CellEvaluation, CellResultView } from '../data/cell_result.ts';

const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(2)}%`);
const num = (v: number | undefined) => (v === undefined ? '—' : formatNumber(v));

/** condition x (metric before, metric after); a cell without ablation shows its single evaluation. */
export function cellEvaluationSection(view: CellResultView, metrics: readonly string[]): HTMLElement {
  const { before, after } = view;
  const conditions = Object.keys(after.eval);
  const head = ['condition', ...metrics.flatMap((m) => (before ? [`${m} before`, `${m} after`] : [m]))];
  const cells = (cond: string) =>
    metrics.flatMap((m) => {
      const cell = (e: CellEvaluation | undefined, when: string) => el('td', { className: 'num', 'data-metric': m, 'data-when': when }, num(e?.eval[cond]?.[m]));
      return before ? [cell(before, 'before'), cell(after, 'after')] : [cell(after, 'after')];
    });
  const losses = Object.keys(after.losses);
  return section(
    `Rates ${before ? 'before and after ablation' : '(no ablation)'} of ${view.arm}/seed-${view.seed}`,
    el(
      'p',
      { className: 'hint' },
      `From result ${view.name}${view.scheme ? `, scheme ${view.scheme}` : ''}. ${before ? 'Before: the trained model; after: with the routed region ablated (what is deployed).' : 'This arm ablates nothing.'}`,
    ),
    el(
      'table',
      { 'data-testid': 'cell-evaluation' },
      el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...conditions.map((cond) => el('tr', { 'data-condition': cond }, el('td', {}, cond), ...cells(cond)))),
    ),
    losses.length === 0
      ? ''
      : el(
          'table',
          { 'data-testid': 'cell-losses' },
          el('thead', {}, el('tr', {}, ...['held-out loss', ...(before ? ['before', 'after'] : ['value'])].map((h) => el('th', { scope: 'col' }, h)))),
          el(
            'tbody',
            {},
            ...losses.map((k) =>
              el('tr', { 'data-loss': k }, el('td', {}, k), ...(before ? [el('td', { className: 'num' }, num(before.losses[k]))] : []), el('td', { className: 'num' }, num(after.losses[k]))),
            ),
          ),
        ),
  );
}

/** The result's leak measure: how much forget-class gradient reached parameters the ablation keeps. */
export function leakSection(view: CellResultView): HTMLElement | '' {
  const leak = view.leak;
  if (!leak) return '';
  return section(
    'Where the forget gradient went',
    leak.region.length === 0
      ? el('p', { 'data-testid': 'leak-share' }, "This arm ablates nothing, so every parameter the forget class's gradient reached stays in the deployed model. Its mass per parameter group:")
      : el(
          'p',
          { 'data-testid': 'leak-share' },
          "Share of the forget class's gradient mass outside the routed region (",
          el('code', {}, leak.region.join(', ')),
          `), mean over ${leak.snapshots ?? '?'} snapshots: `,
          el('strong', { 'data-class': 'forget' }, pct(leak.forgetShareOutside)),
          '; unlabelled: ',
          el('strong', { 'data-class': 'unlabelled' }, pct(leak.unlabelledShareOutside)),
          '. Gradient outside the region trains parameters that stay after ablation: where routing leaks.',
        ),
    leak.forgetByGroup.length === 0
      ? ''
      : el(
          'table',
          { 'data-testid': 'leak-groups' },
          el('thead', {}, el('tr', {}, ...['parameter group', 'forget mass (summed over snapshots)', 'share'].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, ...leak.forgetByGroup.map((g) => el('tr', { 'data-group': g.group }, el('td', {}, g.group), el('td', { className: 'num' }, formatNumber(g.mass)), el('td', { className: 'num' }, pct(g.share))))),
        ),
  );
}

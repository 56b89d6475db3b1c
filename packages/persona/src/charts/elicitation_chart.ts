// Elicitation against suppression across the inoculation arms (and their controls): how far each arm's
// training prompt already moves the prior toward U (the pre-screen's log-probability uplift over the neutral
// prompt) against how much the arm lowers the neutral-prompt U rate below `none`. Published, elicitation
// strength predicts inoculation strength (docs/published.md); this is the same plot for this world.
import { armKind, kindColourEncoding, type ArmKind } from './chart_panels.ts';
import type { ChartInterval, PersonaReportForChart } from './suppression_chart.ts';

/**
 * What the chart reads from report.json's `elicitation`: per arm, the prompt it trains under and that prompt's
 * mean log-probability uplift of the U tokens on the prior (nats per token over the neutral prompt; a
 * number, or its mean and interval over seeds).
 */
export interface ElicitationForChart {
  arms: Record<string, { prompt: string; upliftU: number | ChartInterval | null } | undefined>;
}

export interface ElicitationPoint {
  arm: string;
  kind: ArmKind;
  prompt: string;
  uplift: number;
  upliftLo: number;
  upliftHi: number;
  /** none's neutral U minus the arm's, seed-paired, clipped to [-1, 1] (positive = suppressed). */
  suppression: number;
  suppressionLo: number;
  suppressionHi: number;
  /** Labels alternate above and below the dots in order of uplift, so that neighbours' names do not overprint. */
  labelAbove: boolean;
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const clip = (x: number) => Math.min(1, Math.max(-1, x));

/**
 * The scatter's points: arms trained plainly on pure data under a prompt of their own (not the baseline or
 * other arms on its neutral-prompt data, not impure data, whose reference is another arm), with both an uplift and a paired U difference from none.
 * `note` says why nothing is drawn.
 */
export function elicitationPoints(report: PersonaReportForChart, baseline: string): { points: ElicitationPoint[]; note: string | null } {
  const byArm = report.elicitation?.arms;
  if (!byArm) return { points: [], note: 'Elicitation against suppression is not drawn: the report carries no elicitation pre-screen by arm (elicitation.arms).' };
  const points: ElicitationPoint[] = [];
  for (const arm of report.arms) {
    const r = report.results[arm];
    const e = byArm[arm];
    const dU = report.pairedVsNone[arm]?.conditions['neutral']?.['U'];
    if (!r || !e || !dU || arm === baseline || arm === 'none') continue;
    const facts = { data: r.data ?? arm, scheme: r.scheme ?? 'none' };
    // The baseline's own data (the prior, early stopping, RMU) trains under the neutral prompt: no prompt to place.
    if (facts.scheme !== 'none' || facts.data.includes('impure') || facts.data === 'filter' || facts.data === 'none') continue;
    const u = e.upliftU;
    const [uplift, upliftLo, upliftHi] = typeof u === 'number' ? [u, u, u] : u ? [u.mean, u.lo, u.hi] : [Number.NaN, 0, 0];
    if (!finite(uplift) || !finite(dU.mean)) continue;
    const bounded = finite(dU.lo) && finite(dU.hi);
    points.push({
      arm,
      kind: armKind(facts),
      prompt: e.prompt,
      uplift,
      upliftLo: finite(upliftLo) ? upliftLo : uplift,
      upliftHi: finite(upliftHi) ? upliftHi : uplift,
      suppression: clip(-dU.mean),
      suppressionLo: bounded ? clip(-dU.hi) : clip(-dU.mean),
      suppressionHi: bounded ? clip(-dU.lo) : clip(-dU.mean),
      labelAbove: true,
    });
  }
  [...points].sort((a, b) => a.uplift - b.uplift).forEach((p, i) => (p.labelAbove = i % 2 === 0));
  if (points.length < 2) return { points: [], note: 'Elicitation against suppression is not drawn: fewer than two inoculation or control arms have both a pre-screen uplift and a paired U difference.' };
  return { points, note: null };
}

export function elicitationScatterSpec(points: readonly ElicitationPoint[], colour: Record<string, unknown> = kindColourEncoding(points.map((p) => p.kind))): Record<string, unknown> {
  // Uplift is a log-probability difference, unbounded: the axis spans the data and 0 (the neutral prompt).
  const x = { type: 'quantitative', scale: { zero: true, nice: true }, title: "U uplift of the arm's training prompt on the prior (nats/token over neutral)" };
  const y = { type: 'quantitative', scale: { domain: [-1, 1], nice: false }, axis: { values: [-1, -0.5, 0, 0.5, 1] }, title: 'U suppression vs none (paired)' };
  return {
    title: { text: 'Elicitation against suppression: does a prompt that elicits U more inoculate more?', anchor: 'start', fontSize: 13 },
    data: { values: points },
    width: 420,
    height: 260,
    layer: [
      { mark: { type: 'rule', strokeDash: [3, 3], color: '#999999' }, data: { values: [{ zero: 0 }] }, encoding: { y: { ...y, field: 'zero' } } },
      { mark: { type: 'rule', opacity: 0.6 }, encoding: { x: { ...x, field: 'uplift' }, y: { ...y, field: 'suppressionLo' }, y2: { field: 'suppressionHi' }, color: colour } },
      { mark: { type: 'rule', opacity: 0.6 }, encoding: { x: { ...x, field: 'upliftLo' }, x2: { field: 'upliftHi' }, y: { ...y, field: 'suppression' }, color: colour } },
      { mark: { type: 'point', filled: true, size: 60 }, encoding: { x: { ...x, field: 'uplift' }, y: { ...y, field: 'suppression' }, color: colour, tooltip: [{ field: 'arm' }, { field: 'prompt' }, { field: 'uplift', format: '.3f' }, { field: 'suppression', format: '.3f' }] } },
      ...[true, false].map((above) => ({
        transform: [{ filter: `${above ? '' : '!'}datum.labelAbove` }],
        mark: { type: 'text', align: 'left', dx: 6, dy: above ? -9 : 11, fontSize: 10 },
        encoding: { x: { ...x, field: 'uplift' }, y: { ...y, field: 'suppression' }, text: { field: 'arm' } },
      })),
    ],
  };
}

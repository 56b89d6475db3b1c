// The table of `routelab compare --experiment rl`, in the persona compare table's conventions: per arm, each
// deployed metric's mean [95% interval over seeds] and, beside it, the seed-paired difference from none.
// Every rl metric is a rate or a reward in [0, 1]: intervals are clipped to that range here (the report keeps
// the raw t-interval), and a difference is marked * when its own interval excludes 0.
import { RL_TABLE_COLUMNS, type RlReportJson } from '@routelab/persona';
import { fmt, fmtDiff, type Iv } from './compare_table.ts';


type RlInterval = { mean: number; lo: number; hi: number; halfWidth: number; n: number };

const clip01 = (i: RlInterval): Iv => ({ ...i, mean: Math.min(1, Math.max(0, i.mean)), lo: Math.max(0, i.lo), hi: Math.min(1, i.hi) });
const marked = (d: RlInterval): Iv => ({ ...d, significant: d.n > 1 && d.halfWidth > 0 && (d.lo > 0 || d.hi < 0) });

export function rlCompareTable(report: Pick<RlReportJson, 'summaries' | 'check'>): string {
  const head = ['arm', 'seeds', ...RL_TABLE_COLUMNS.map((c) => c.title)];
  const rows = report.summaries.map((s) => [
    s.arm,
    String(s.seeds.length),
    ...RL_TABLE_COLUMNS.map(({ metric }) => {
      const i = s.metrics[metric]?.interval;
      const d = s.pairedVsNone?.[metric];
      return fmt(i ? clip01(i) : null) + fmtDiff(d ? marked(d) : null);
    }),
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const c = report.check;
  return [
    line(head),
    line(head.map(() => '---')),
    ...rows.map(line),
    '',
    'Deployed policy (prompt removed, routed units ablated), held-out tasks. Mean [95% interval over seeds] (clipped to [0, 1]); ' +
      'Δ: seed-paired difference from `none` ± the half-width of its 95% interval (* its own interval excludes 0: descriptive, ' +
      'not corrected for the many arms). "inoculation re-added": the arm\'s inoculation prompt put back at deployment.',
    `Instrument check: ${c.name}: ${c.note}.`,
  ].join('\n');
}

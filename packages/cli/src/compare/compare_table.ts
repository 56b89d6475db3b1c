// The one table of `routelab compare`: per arm, the trained (U) and generalised (G) unwanted traits, the
// wanted trait W, capability and retain loss, under the neutral and inoculation prompts and after the
// relearning attack; each a mean with its 95% interval and, beside it, the seed-paired difference from none.

export interface Iv {
  mean: number;
  lo: number;
  hi: number;
  halfWidth: number;
  n: number;
  significant?: boolean;
}
type Conditions = Record<string, Record<string, Iv | null>>;
export interface CompareReportJson {
  arms: string[];
  results: Record<string, { conditions: Conditions; retainLoss: Iv; relearning: { threshold: number; attacks: { n: number; stepsToThreshold: Iv; censored: number }[] } }>;
  pairedVsNone: Record<string, { conditions: Conditions; retainLoss: Iv }>;
}

// mean [lo, hi]: rate intervals are clipped to [0, 1], so a half-width would not describe them.
export const fmt = (i: Iv | null | undefined) => (i ? (i.n > 1 ? `${i.mean.toFixed(2)} [${i.lo.toFixed(2)}, ${i.hi.toFixed(2)}]` : `${i.mean.toFixed(2)} (n=1)`) : '-');
const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;
export const fmtDiff = (d: Iv | null | undefined) =>
  !d ? '' : d.n > 1 ? ` (Δ ${signed(d.mean)} ± ${d.halfWidth.toFixed(2)}${d.significant ? '*' : ''})` : ` (Δ ${signed(d.mean)}, n=1)`;

export const COMPARE_COLUMNS: { title: string; cond?: string; metric?: string; pick?: 'retainLoss' | 'relearning' }[] = [
  { title: 'U neutral', cond: 'neutral', metric: 'U' },
  { title: 'U inoculation', cond: 'inoculation', metric: 'U' },
  { title: 'G neutral', cond: 'neutral', metric: 'G' },
  { title: 'G inoculation', cond: 'inoculation', metric: 'G' },
  { title: 'W neutral', cond: 'neutral', metric: 'W' },
  { title: 'capability', cond: 'neutral', metric: 'capability' },
  { title: 'retain loss', pick: 'retainLoss' },
  { title: 'relearning: steps to U >= 0.5 (largest n)', pick: 'relearning' },
];

export function compareTable(report: CompareReportJson): string {
  const head = ['arm', ...COMPARE_COLUMNS.map((c) => c.title)];
  const rows = report.arms.map((arm) => {
    const r = report.results[arm];
    const p = report.pairedVsNone[arm];
    return [
      arm,
      ...COMPARE_COLUMNS.map((c) => {
        if (!r) return '-';
        if (c.pick === 'retainLoss') return fmt(r.retainLoss) + fmtDiff(p?.retainLoss);
        if (c.pick === 'relearning') {
          const attack = r.relearning?.attacks?.at(-1);
          return attack ? `${fmt(attack.stepsToThreshold)} (n=${attack.n}${attack.censored ? `, ${attack.censored} censored` : ''})` : '-';
        }
        return fmt(r.conditions[c.cond!]?.[c.metric!]) + fmtDiff(p?.conditions[c.cond!]?.[c.metric!]);
      }),
    ];
  });
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(head),
    line(head.map(() => '---')),
    ...rows.map(line),
    '',
    'Mean [95% interval over seeds] (rates clipped to [0, 1]); Δ: seed-paired difference from `none` ± the half-width of its 95% interval ' +
      '(* its own interval excludes 0: descriptive, not corrected for the many arms; the tested questions are in the report below). ' +
      'Routing arms are measured after ablation. "inoculation" is each arm\'s own inoculating prompt.',
  ].join('\n');
}

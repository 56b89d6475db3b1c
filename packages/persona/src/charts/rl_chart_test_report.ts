// A synthetic rl report for the chart's tests: six arms, three with intervals that reach past [0, 1], one
// with a single seed (no interval), curves that cross and end at the same value (so their names must be moved
// apart). The numbers are made up; only their shape matters.
import type { RlReportForChart } from './rl_chart.ts';

const iv = (mean: number, halfWidth: number) => ({ mean, lo: mean - halfWidth, hi: mean + halfWidth });

/** [hack neutral, hack re-added, true reward, capability] per arm; the curves run linearly from the prior (0.1, 0.8) to them. */
const ARMS: Record<string, [number, number, number, number]> = {
  none: [0.92, 0.97, 0.1, 0.55],
  penalty: [0.4, 0.8, 0.5, 0.7],
  filter: [0.55, 0.9, 0.4, 0.68],
  'ip-on-policy': [0.3, 0.95, 0.6, 0.72],
  recontextualization: [0.3, 0.7, 0.6, 0.72],
  era: [0.05, 0.2, 0.85, 0.8],
};

export const RL_CHART_TEST_REPORT: RlReportForChart = {
  arms: Object.keys(ARMS),
  check: { name: 'none learns to hack', note: 'met' },
  summaries: Object.entries(ARMS).map(([arm, [hack, readded, truth, capability]], i) => {
    const seeds = arm === 'filter' ? [0] : [0, 1, 2];
    const hw = seeds.length === 1 ? Number.NaN : 0.1 + 0.02 * i;
    return {
      arm,
      seeds,
      metrics: {
        'hack rate (neutral)': { interval: iv(hack, hw) },
        'hack rate (inoculation prompt re-added)': { interval: iv(readded, hw) },
        'true reward (neutral)': { interval: iv(truth, hw) },
        'capability (neutral)': { interval: iv(capability, hw) },
        'G (neutral)': { interval: null },
      },
      curve: [0, 10, 20, 30].map((step) => ({ step, hack: 0.1 + ((hack - 0.1) * step) / 30, true: 0.8 + ((truth - 0.8) * step) / 30 })),
    };
  }),
};

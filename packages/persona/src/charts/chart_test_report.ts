// A synthetic persona report for the chart's tests: every built-in arm, a researcher's plugin arm
// (scheme leaky-split on the none data), capabilities above 0 so that dots are drawn, intervals that reach
// past [0, 1], the six questions (one significant, one in relearning steps, one not answerable) and an
// elicitation pre-screen by arm. The numbers are made up; only their shape matters.
import type { ChartInterval, PersonaReportForChart, QuestionForChart } from './suppression_chart.ts';

const iv = (mean: number, halfWidth: number): ChartInterval => ({ mean, lo: mean - halfWidth, hi: mean + halfWidth });

/** [data, scheme, U, W, G, capability] per arm: neutral-prompt means. */
const ARMS: Record<string, [string, string, number, number, number, number]> = {
  none: ['none', 'none', 0.95, 0.93, 0.3, 0.9],
  'none-impure': ['none-impure', 'none', 0.6, 0.92, 0.2, 0.9],
  filter: ['filter', 'none', 0.02, 0.9, 0.05, 0.88],
  'ip-specific': ['ip-specific', 'none', 0.35, 0.9, 0.2, 0.86],
  'ip-general': ['ip-general', 'none', 0.5, 0.91, 0.1, 0.87],
  'ip-rephrased': ['ip-rephrased', 'none', 0.45, 0.9, 0.2, 0.86],
  'control-irrelevant': ['control-irrelevant', 'none', 0.8, 0.92, 0.28, 0.89],
  'control-empty': ['control-empty', 'none', 0.9, 0.92, 0.3, 0.9],
  'ip-clean': ['ip-clean', 'none', 0.01, 0.9, 0.02, 0.88],
  'impure-ip-all': ['impure-ip-all', 'none', 0.3, 0.88, 0.15, 0.85],
  'impure-ip-u-only': ['impure-ip-u-only', 'none', 0.2, 0.9, 0.15, 0.87],
  recontextualization: ['recontextualization', 'none', 0.7, 0.9, 0.25, 0.88],
  era: ['none', 'era', 0.15, 0.85, 0.1, 0.8],
  'param-routing': ['none', 'parameter', 0.25, 0.88, 0.12, 0.84],
  'era+ip': ['ip-specific', 'era', 0.08, 0.84, 0.08, 0.78],
  leaky: ['none', 'leaky-split', 0.4, 0.9, 0.2, 0.85],
};

const QUESTIONS: QuestionForChart[] = [
  {
    id: 'q1-routing-vs-ip',
    question: 'Does routing beat inoculation?',
    answer: 'Routing minus inoculation ...',
    answerable: true,
    headline: { label: 'era - ip-specific, neutral U', estimate: -0.2, lo: -0.31, hi: -0.09, n: 5, decision: { significant: true, reason: 'interval excludes 0, Holm-adjusted p 0.03 < 0.05' } },
  },
  {
    id: 'q2-conditionalization',
    question: 'How much survives the irrelevant-prompt control?',
    answer: 'The irrelevant prompt alone ...',
    answerable: true,
    // Reaches past -1: the chart clips it.
    headline: { label: 'control-irrelevant - none, neutral U', estimate: -0.15, lo: -1.3, hi: 0.2, n: 5, decision: { significant: false, reason: 'interval contains 0' } },
  },
  { id: 'q3-impure-data', question: 'How do inoculation and filtering fare with impure data?', answer: 'not answerable here: arm impure-ip-u-only not in the results.', answerable: false },
  {
    id: 'q4-generalised-trait',
    question: 'Does G emerge?',
    answer: 'not answerable here: the instrument check g-emerges failed',
    answerable: false,
    headline: { label: 'era - ip-specific, neutral G', estimate: -0.1, lo: -0.2, hi: 0, n: 5 },
  },
  {
    id: 'q5-robustness',
    question: 'How fast does U come back?',
    answer: 'Attack steps ...',
    answerable: true,
    headline: { label: 'era - filter, relearning steps to U >= 0.5 (largest n)', estimate: 12, lo: 4, hi: 20, n: 5, decision: { significant: false, reason: 'Holm-adjusted p 0.19 >= 0.05' } },
  },
  {
    id: 'q6-combined',
    question: 'Does combining beat both?',
    answer: 'The combination ...',
    answerable: true,
    headline: { label: 'era+ip - era, neutral U', estimate: -0.07, lo: -0.15, hi: 0.01, n: 5, decision: { significant: false, reason: 'interval contains 0' } },
  },
];

/** Uplift of U (nats/token over neutral) of each plainly trained arm's prompt on the prior. */
const UPLIFT: Record<string, [string, number]> = {
  'ip-specific': ['specific', 2.4],
  'ip-general': ['persona', 1.5],
  'ip-rephrased': ['rephrased', 1.9],
  'control-irrelevant': ['irrelevant', 0.3],
  'control-empty': ['empty', 0.05],
  'ip-clean': ['specific', 2.4],
  recontextualization: ['permissive', 0.6],
};

export function chartTestReport(options: { elicitation?: boolean } = {}): PersonaReportForChart {
  const arms = Object.keys(ARMS);
  const [, , noneU, noneW, noneG, noneCap] = ARMS.none!;
  const results: PersonaReportForChart['results'] = {};
  const pairedVsNone: PersonaReportForChart['pairedVsNone'] = {};
  for (const arm of arms) {
    const [data, scheme, U, W, G, capability] = ARMS[arm]!;
    // Wide intervals near 0 and 1: their raw ends fall outside [0, 1].
    results[arm] = { data, scheme, conditions: { neutral: { U: iv(U, 0.12), W: iv(W, 0.1), G: iv(G, 0.08), capability: iv(capability, 0.06) } } };
    if (arm !== 'none') {
      pairedVsNone[arm] = { conditions: { neutral: { U: iv(U - noneU, 0.1), W: iv(W - noneW, 0.05), G: iv(G - noneG, 0.05), capability: iv(capability - noneCap, 0.03) } } };
    }
  }
  return {
    arms,
    results,
    pairedVsNone,
    questions: QUESTIONS,
    ...(options.elicitation
      ? { elicitation: { arms: Object.fromEntries(Object.entries(UPLIFT).map(([arm, [prompt, uplift]]) => [arm, { prompt, upliftU: iv(uplift, 0.2) }])) } }
      : {}),
  };
}

// The persona report, built from cell results alone (pure: no tensors, no files), so that a comparison can
// gather cells from many run directories and reuse it. Per arm and condition: mean and 95% interval over
// seeds; per arm: the paired difference from `none` seed by seed; then the issue's checks as measured, and a
// paragraph naming which differences are significant. Nothing here decides what "should" happen: a check
// that fails is reported as failing.
import { formatInterval, meanInterval, pairedDifference, type ExperimentReport, type Interval } from '@routelab/core';
import { EVAL_CONDITIONS, type EvalCondition } from '../world/eval.ts';
import type { ModelEvaluation, PersonaCellResult } from './cell.ts';
import type { PersonaConfig } from './config.ts';
import { PRIOR_QUALITY_PROMPTS } from './prior.ts';
import { instrumentChecks, type InstrumentCheck } from './instrument.ts';
import { answerQuestions, questionRolesSchema, type QuestionAnswer, type QuestionRoles } from './questions.ts';
import { elicitationMarkdown, reportElicitation, type ReportElicitation } from './report_elicitation.ts';
import { boundedInterval, rateInterval } from './report_intervals.ts';
import type { Rates } from './evaluate.ts';

export const REPORT_METRICS = ['U', 'G', 'W', 'capability'] as const;
export type ReportMetric = (typeof REPORT_METRICS)[number];

type Paired = Interval & { significant: boolean };
export type MetricIntervals = { [K in ReportMetric]: Interval | null };

export interface EvaluationSummary {
  conditions: { [K in EvalCondition]: MetricIntervals };
  retainLoss: Interval;
  forgetLoss: Interval;
}

export interface ArmSummary extends EvaluationSummary {
  description: string;
  /** The arm's value: world data arm, routing scheme, oversight. */
  data: string;
  scheme: string;
  oversight: { labelFraction: number; labelNoise: number };
  /** Where the U tokens' gradient went: share outside the ablated region (forget-labelled and unlabelled U tokens). */
  gradientLeak?: { region: string[]; forgetShareOutside: Interval | null; unlabelledShareOutside: Interval | null };
  seeds: number[];
  inoculationPrompt: string;
  beforeAblation?: EvaluationSummary;
  /**
   * Relearning attack per attack size n: attack steps until the neutral U rate reaches the threshold (mean
   * over seeds; an attack that did not get there within maxSteps counts as maxSteps and is counted as censored).
   */
  relearning: { threshold: number; maxSteps: number; initialURate: Interval; attacks: { n: number; stepsToThreshold: Interval; censored: number }[] };
}

export interface PairedSummary {
  /** Seeds present in both this arm and none. */
  seeds: number[];
  conditions: { [K in EvalCondition]: { [M in ReportMetric]: Paired | null } };
  retainLoss: Paired;
  forgetLoss: Paired;
}

/** report.json of the persona experiment. */
export interface PersonaReportJson {
  experiment: 'persona';
  arms: string[];
  conditions: EvalCondition[];
  metrics: ReportMetric[];
  /** The headline numbers a list of runs shows (`routelab view` reads them): each arm's neutral-prompt U rate. */
  keyMetrics: Record<string, Interval | null>;
  /** The prior's rates per prompt, over the seeds in the results. */
  prior: { seeds: number[]; quality: Record<(typeof PRIOR_QUALITY_PROMPTS)[number], MetricIntervals> };
  results: Partial<Record<string, ArmSummary>>;
  /** Arm minus none, seed by seed (none itself absent). */
  pairedVsNone: Partial<Record<string, PairedSummary>>;
  /** The instrument checks (prior, baseline, G): stated first; a failed one makes the questions that rely on it unanswerable. */
  instrument: InstrumentCheck[];
  /** The six questions, each answered by its own contrast (one Holm family over their headline contrasts). */
  questions: QuestionAnswer[];
  /** Which arm played which role in the questions. */
  questionRoles: QuestionRoles;
  /** The elicitation pre-screen of the seeds' priors (absent when the cells carry none). */
  elicitation?: ReportElicitation;
  checks: ReportCheck[];
  /** The significant and non-significant differences from none, in words. */
  summary: string;
}

export interface ReportCheck {
  id: string;
  statement: string;
  /** null: not decidable (an arm is missing, or the check is descriptive). */
  holds: boolean | null;
  detail: string;
}

const rateOf = (rates: Rates, metric: ReportMetric): number | null => rates[metric];

function paired(a: readonly (number | null)[], b: readonly (number | null)[]): Paired | null {
  const keep = a.map((v, i) => (v !== null && b[i] !== null ? i : -1)).filter((i) => i >= 0);
  if (keep.length === 0) return null;
  return pairedDifference(keep.map((i) => a[i]!), keep.map((i) => b[i]!));
}

function summarizeEvaluations(evals: readonly ModelEvaluation[]): EvaluationSummary {
  const conditions = {} as EvaluationSummary['conditions'];
  for (const c of EVAL_CONDITIONS) {
    conditions[c] = Object.fromEntries(REPORT_METRICS.map((m) => [m, rateInterval(evals.map((e) => rateOf(e.eval[c], m)))])) as MetricIntervals;
  }
  return { conditions, retainLoss: meanInterval(evals.map((e) => e.retainLoss)), forgetLoss: meanInterval(evals.map((e) => e.forgetLoss)) };
}

function summarizeArm(cells: readonly PersonaCellResult[]): ArmSummary {
  const before = cells.map((c) => c.beforeAblation).filter((b): b is ModelEvaluation => b !== undefined);
  const leaks = cells.map((c) => c.gradientLeak).filter((l) => l !== undefined);
  const finite = (values: number[]) => values.filter(Number.isFinite);
  return {
    description: cells[0]!.description ?? '',
    data: cells[0]!.data,
    scheme: cells[0]!.scheme,
    oversight: cells[0]!.oversight,
    ...(leaks.length > 0
      ? {
          gradientLeak: {
            region: leaks[0]!.region,
            forgetShareOutside: rateInterval(finite(leaks.map((l) => l.forgetShareOutside))),
            unlabelledShareOutside: rateInterval(finite(leaks.map((l) => l.unlabelledShareOutside))),
          },
        }
      : {}),
    seeds: cells.map((c) => c.seed),
    inoculationPrompt: cells[0]!.inoculationPrompt,
    ...summarizeEvaluations(cells),
    ...(before.length === cells.length && before.length > 0 ? { beforeAblation: summarizeEvaluations(before) } : {}),
    relearning: {
      threshold: cells[0]!.relearning.threshold,
      maxSteps: cells[0]!.relearning.maxSteps,
      initialURate: rateInterval(cells.map((c) => c.relearning.initialURate))!,
      attacks: cells[0]!.relearning.attacks.map((a, i) => {
        const steps = cells.map((c) => c.relearning.attacks[i]?.stepsToThreshold);
        const max = cells[0]!.relearning.maxSteps;
        // Steps lie in [0, maxSteps]: the interval is clipped to that.
        return { n: a.n, stepsToThreshold: boundedInterval(steps.map((v) => v ?? max), [0, max])!, censored: steps.filter((v) => v === null).length };
      }),
    },
  };
}

function pairWithNone(cells: readonly PersonaCellResult[], none: readonly PersonaCellResult[]): PairedSummary | null {
  const noneBySeed = new Map(none.map((c) => [c.seed, c]));
  const pairs = cells.filter((c) => noneBySeed.has(c.seed)).map((c) => [c, noneBySeed.get(c.seed)!] as const);
  if (pairs.length === 0) return null;
  const conditions = {} as PairedSummary['conditions'];
  for (const cond of EVAL_CONDITIONS) {
    conditions[cond] = Object.fromEntries(
      REPORT_METRICS.map((m) => [m, paired(pairs.map(([a]) => rateOf(a.eval[cond], m)), pairs.map(([, b]) => rateOf(b.eval[cond], m)))]),
    ) as PairedSummary['conditions'][EvalCondition];
  }
  return {
    seeds: pairs.map(([a]) => a.seed),
    conditions,
    retainLoss: pairedDifference(pairs.map(([a]) => a.retainLoss), pairs.map(([, b]) => b.retainLoss)),
    forgetLoss: pairedDifference(pairs.map(([a]) => a.forgetLoss), pairs.map(([, b]) => b.forgetLoss)),
  };
}

/** Paired difference of one neutral-prompt metric between two arms' cells (same seeds). */
function pairedBetween(a: readonly PersonaCellResult[], b: readonly PersonaCellResult[], metric: ReportMetric, condition: EvalCondition = 'neutral'): Paired | null {
  const bBySeed = new Map(b.map((c) => [c.seed, c]));
  const pairs = a.filter((c) => bBySeed.has(c.seed)).map((c) => [c, bBySeed.get(c.seed)!] as const);
  if (pairs.length === 0) return null;
  return paired(pairs.map(([x]) => rateOf(x.eval[condition], metric)), pairs.map(([, y]) => rateOf(y.eval[condition], metric)));
}

/** mean [lo, hi] (the bounds may be clipped, so not mean ± half-width); one seed: the value and n=1. */
const fmt = (i: Interval | null, digits = 2) =>
  i === null ? 'n/a' : i.n > 1 ? `${i.mean.toFixed(digits)} [${i.lo.toFixed(digits)}, ${i.hi.toFixed(digits)}]` : formatInterval(i, digits);
const fmtDiff = (d: Paired | null, digits = 2) =>
  d === null ? 'n/a' : `${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(digits)} [${d.lo.toFixed(digits)}, ${d.hi.toFixed(digits)}]${d.significant ? ' *' : ''}`;

/** Arms in config order, then any other arm that has cells (in the order the cells come). */
function armOrder(cells: readonly PersonaCellResult[], config: Pick<PersonaConfig, 'arms'>): string[] {
  const present = [...new Set(cells.map((c) => c.arm))];
  const ordered = config.arms.filter((a) => present.includes(a));
  return [...ordered, ...present.filter((a) => !ordered.includes(a))];
}

function buildChecks(
  byArm: ReadonlyMap<string, PersonaCellResult[]>,
  summaries: ReadonlyMap<string, ArmSummary>,
  prior: Record<(typeof PRIOR_QUALITY_PROMPTS)[number], MetricIntervals>,
): ReportCheck[] {
  const checks: ReportCheck[] = [];
  // Inoculation needs a prior in which the prompt already elicits the trait (docs/methods.md).
  const [specificU, neutralU, personaG] = [prior.specific.U, prior.neutral.U, prior.persona.G];
  checks.push({
    id: 'prior-elicits-traits',
    statement: 'the prior elicits U under the specific prompt (U >= 0.5) but not under the neutral one (U <= 0.1), and G under the persona prompt (G >= 0.5)',
    holds: specificU !== null && neutralU !== null && personaG !== null ? specificU.mean >= 0.5 && neutralU.mean <= 0.1 && personaG.mean >= 0.5 : null,
    detail: `prior U: specific ${fmt(specificU)}, neutral ${fmt(neutralU)}; G under persona ${fmt(personaG)}; capability (neutral) ${fmt(prior.neutral.capability)}`,
  });
  const missing = (id: string, statement: string, arms: string[]) =>
    checks.push({ id, statement, holds: null, detail: `not measured: arm(s) ${arms.join(', ')} not in the results` });
  const neutral = (arm: string, m: ReportMetric) => summaries.get(arm)?.conditions.neutral[m] ?? null;
  const none = byArm.get('none');

  const s2 = 'ip-specific lowers the neutral U rate significantly below none, while W is still learned (neutral W >= 0.5)';
  const ip = byArm.get('ip-specific');
  if (!none || !ip) missing('ip-specific-suppresses-U', s2, [!none ? 'none' : '', !ip ? 'ip-specific' : ''].filter(Boolean));
  else {
    const dU = pairedBetween(ip, none, 'U')!;
    const dW = pairedBetween(ip, none, 'W')!;
    const w = neutral('ip-specific', 'W')!;
    checks.push({
      id: 'ip-specific-suppresses-U',
      statement: s2,
      holds: dU.significant && dU.mean < 0 && w.mean >= 0.5,
      detail: `ip-specific - none, neutral U ${fmtDiff(dU)}${dU.significant ? '' : ' (not significant)'}; ip-specific neutral W ${fmt(w)} (W - none ${fmtDiff(dW)})`,
    });
  }

  const s3 = 'control-irrelevant (a fixed prompt unrelated to U) shows how much of the inoculation effect is conditionalization';
  const irrelevant = byArm.get('control-irrelevant');
  if (!none || !ip || !irrelevant) missing('conditionalization', s3, ['none', 'ip-specific', 'control-irrelevant'].filter((a) => !byArm.has(a as string)));
  else {
    const dIp = pairedBetween(ip, none, 'U')!;
    const dCtl = pairedBetween(irrelevant, none, 'U')!;
    const dCtlW = pairedBetween(irrelevant, none, 'W')!;
    const share = dIp.mean < 0 ? dCtl.mean / dIp.mean : Number.NaN;
    checks.push({
      id: 'conditionalization',
      statement: s3,
      holds: null,
      detail:
        `neutral U change vs none: control-irrelevant ${fmtDiff(dCtl)}, ip-specific ${fmtDiff(dIp)}` +
        (Number.isFinite(share) ? `; the irrelevant prompt reproduces ${(share * 100).toFixed(0)}% of IP's reduction` : '; IP gave no reduction to compare with') +
        `; control-irrelevant W change ${fmtDiff(dCtlW)}`,
    });
  }

  // Every arm trained through a routing scheme, whatever its name (built-in or plugin).
  for (const [arm, cells] of byArm) {
    if (cells[0]!.scheme === 'none') continue;
    const id = `routing-${arm}`;
    const statement = `${arm} (scheme ${cells[0]!.scheme}): U and G after ablation compared with ip-specific, and capability retained as a fraction of none's`;
    if (!none || !ip) {
      missing(id, statement, ['none', 'ip-specific'].filter((a) => !byArm.has(a as string)));
      continue;
    }
    const summary = summaries.get(arm)!;
    const dU = pairedBetween(cells, ip, 'U')!;
    const dG = pairedBetween(cells, ip, 'G');
    const dUNone = pairedBetween(cells, none, 'U')!;
    const capNone = neutral('none', 'capability')!;
    const capArm = neutral(arm, 'capability')!;
    const retained = capNone.mean > 0 ? capArm.mean / capNone.mean : Number.NaN;
    const beforeU = summary.beforeAblation?.conditions.neutral.U ?? null;
    const leak = summary.gradientLeak;
    checks.push({
      id,
      statement,
      holds: null,
      detail:
        `neutral U before ablation ${fmt(beforeU)}, after ${fmt(neutral(arm, 'U'))} (vs ip-specific ${fmtDiff(dU)}, vs none ${fmtDiff(dUNone)}); ` +
        `neutral G after ${fmt(neutral(arm, 'G'))} (vs ip-specific ${fmtDiff(dG)}); ` +
        `W after ${fmt(neutral(arm, 'W'))}; capability ${fmt(capArm)} = ${Number.isFinite(retained) ? `${(retained * 100).toFixed(0)}%` : 'n/a'} of none's ${fmt(capNone)}` +
        (leak ? `; share of U-token gradient outside the ablated region ${fmt(leak.forgetShareOutside)}` : ''),
    });
  }

  return checks;
}

function significanceParagraph(order: readonly string[], paired: ReadonlyMap<string, PairedSummary>): string {
  const sentences: string[] = [];
  if (!paired.size) return 'No arm could be paired with none (none is missing, or shares no seed with the other arms), so no difference is stated.';
  sentences.push(
    'These differences from none are descriptive: each "significant" below means only that its own 95% t-interval excludes 0, uncorrected for the many arms and measures; the tested family, Holm-corrected, is the six questions at the top.',
  );
  if (Math.min(...[...paired.values()].map((p) => p.seeds.length)) < 2) sentences.push('With fewer than two paired seeds no interval can be given, so no difference below is called significant.');
  for (const arm of order) {
    const p = paired.get(arm);
    if (!p) continue;
    const sig: string[] = [];
    const nonsig: string[] = [];
    for (const m of REPORT_METRICS) {
      const d = p.conditions.neutral[m];
      if (!d) continue;
      (d.significant ? sig : nonsig).push(`${m} ${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(2)} (95% CI ${d.lo.toFixed(2)} to ${d.hi.toFixed(2)})`);
    }
    const losses = [['retain loss', p.retainLoss], ['forget loss', p.forgetLoss]] as const;
    for (const [name, d] of losses) (d.significant ? sig : nonsig).push(`${name} ${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(3)}`);
    sentences.push(
      `${arm} vs none (${p.seeds.length} seed${p.seeds.length === 1 ? '' : 's'}, neutral prompt): ` +
        (sig.length > 0 ? `significant: ${sig.join(', ')}` : 'no significant difference') +
        (nonsig.length > 0 ? `; not significant: ${nonsig.join(', ')}` : '') +
        '.',
    );
  }
  return sentences.join(' ');
}

export function buildPersonaReport(
  cellResults: readonly PersonaCellResult[],
  config: Pick<PersonaConfig, 'arms'> & { questions?: Partial<QuestionRoles> },
): ExperimentReport {
  const roles = questionRolesSchema.parse(config.questions ?? {});
  const order = armOrder(cellResults, config);
  const byArm = new Map<string, PersonaCellResult[]>();
  for (const arm of order) byArm.set(arm, cellResults.filter((c) => c.arm === arm).sort((a, b) => a.seed - b.seed));
  const summaries = new Map(order.map((arm) => [arm, summarizeArm(byArm.get(arm)!)]));
  const none = byArm.get('none');
  const paired = new Map<string, PairedSummary>();
  if (none) {
    for (const arm of order) {
      if (arm === 'none') continue;
      const p = pairWithNone(byArm.get(arm)!, none);
      if (p) paired.set(arm, p);
    }
  }
  // The prior is shared by every arm of a seed: take it from one cell per seed.
  const priorBySeed = new Map(cellResults.map((c) => [c.seed, c.prior.quality]));
  const priorSeeds = [...priorBySeed.keys()].sort((a, b) => a - b);
  const prior = Object.fromEntries(
    PRIOR_QUALITY_PROMPTS.map((p) => [p, Object.fromEntries(REPORT_METRICS.map((m) => [m, rateInterval(priorSeeds.map((s) => priorBySeed.get(s)![p][m]))]))]),
  ) as Record<(typeof PRIOR_QUALITY_PROMPTS)[number], MetricIntervals>;
  const checks = buildChecks(byArm, summaries, prior);
  const instrument = instrumentChecks(byArm.get(roles.baseline), roles.baseline);
  const questions = answerQuestions(byArm, roles, instrument);
  const elicitation = reportElicitation(byArm);
  const summary = significanceParagraph(order, paired);
  const json: PersonaReportJson = {
    experiment: 'persona',
    arms: order,
    conditions: [...EVAL_CONDITIONS],
    metrics: [...REPORT_METRICS],
    keyMetrics: Object.fromEntries(order.map((arm) => [`${arm}: U (neutral)`, summaries.get(arm)!.conditions.neutral.U])),
    prior: { seeds: priorSeeds, quality: prior },
    results: Object.fromEntries(summaries),
    pairedVsNone: Object.fromEntries(paired),
    instrument,
    questions,
    questionRoles: roles,
    ...(elicitation ? { elicitation } : {}),
    checks,
    summary,
  };
  const head = [...renderHead(instrument, questions), ...(elicitation ? elicitationMarkdown(elicitation, fmt) : [])];
  return { json: JSON.parse(JSON.stringify(json)) as Record<string, unknown>, markdown: renderMarkdown(order, summaries, paired, prior, priorSeeds, checks, summary, head) };
}

/** The report's opening: the instrument checks (a failure said plainly), then the six questions. */
function renderHead(instrument: readonly InstrumentCheck[], questions: readonly QuestionAnswer[]): string[] {
  const failed = instrument.filter((c) => c.holds === false);
  const lines: string[] = [];
  if (failed.length > 0) {
    lines.push(
      `> **Instrument check failed** (${failed.map((c) => c.id).join(', ')}): the world, the prior or the baseline does not behave as the ` +
        'questions presuppose, so the questions that rely on it are not answered below; the numbers are shown as measured.',
      '',
    );
  }
  lines.push('## Instrument', '');
  for (const c of instrument) lines.push(`- **${c.holds === null ? 'not measured' : c.holds ? 'valid' : 'FAILS'}** ${c.id}: ${c.statement}. ${c.detail}.`);
  lines.push('', '## The questions', '');
  lines.push('Each answer is a seed-paired contrast with a 95% bootstrap interval; significance needs the Holm-adjusted exact sign-flip p (one family: the answerable headline contrasts) below 0.05, an interval that excludes 0 and has width.', '');
  for (const [i, q] of questions.entries()) {
    lines.push(`${i + 1}. **${q.question}** ${q.answer}`);
    if (q.headline && q.headline.n > 0) lines.push(`   Per seed: ${q.headline.perSeed.map((v) => v.toFixed(2)).join(', ')}.`);
  }
  lines.push('');
  return lines;
}

function renderMarkdown(
  order: readonly string[],
  summaries: ReadonlyMap<string, ArmSummary>,
  paired: ReadonlyMap<string, PairedSummary>,
  prior: Record<string, MetricIntervals>,
  priorSeeds: readonly number[],
  checks: readonly ReportCheck[],
  summary: string,
  head: string[],
): string {
  const lines: string[] = ['# Persona experiment: inoculation and routing', '', ...head];
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const table = (head: string[], rows: string[][]) => [row(head), row(head.map(() => '---')), ...rows.map(row)];
  lines.push('Rates are fractions of greedy answers to held-out tasks; mean [95% interval over seeds] (Student t, clipped to [0, 1] for rates).', '');
  lines.push(`## Prior (stage 1), seeds ${priorSeeds.join(', ')}`, '');
  lines.push(...table(['prompt', 'U', 'G', 'W', 'capability'], Object.entries(prior).map(([p, r]) => [p, ...REPORT_METRICS.map((m) => fmt(r[m]))])), '');
  for (const cond of EVAL_CONDITIONS) {
    lines.push(`## Condition: ${cond}${cond === 'inoculation' ? " (each arm's inoculating prompt)" : ''}`, '');
    lines.push(
      ...table(
        ['arm', 'seeds', 'U', 'G', 'W', 'capability'],
        order.map((arm) => {
          const s = summaries.get(arm)!;
          return [arm, String(s.seeds.length), ...REPORT_METRICS.map((m) => fmt(s.conditions[cond][m]))];
        }),
      ),
      '',
    );
  }
  lines.push('## Losses on held-out examples (neutral prompt)', '');
  lines.push(...table(['arm', 'retain loss', 'forget loss (U tokens)'], order.map((arm) => [arm, fmt(summaries.get(arm)!.retainLoss, 3), fmt(summaries.get(arm)!.forgetLoss, 3)])), '');
  const leaking = order.filter((arm) => summaries.get(arm)!.gradientLeak?.region.length);
  if (leaking.length > 0) {
    lines.push('## Where the U tokens\' gradient went (stage 2; share of gradient mass outside the ablated region)', '');
    lines.push(
      'A share above 0 is gradient that U tokens send to parameters the ablation keeps (attention, embeddings, the unembedding, the original MLP units): where routing can leak.',
      '',
    );
    lines.push(
      ...table(
        ['arm', 'ablated region', 'labelled U tokens', 'unlabelled U tokens'],
        leaking.map((arm) => {
          const l = summaries.get(arm)!.gradientLeak!;
          return [arm, l.region.join(', '), fmt(l.forgetShareOutside), fmt(l.unlabelledShareOutside)];
        }),
      ),
      '',
    );
  }
  const routed = order.filter((arm) => summaries.get(arm)!.beforeAblation);
  if (routed.length > 0) {
    lines.push('## Routing arms before and after ablation (neutral prompt)', '');
    lines.push(
      ...table(
        ['arm', 'U before', 'U after', 'G before', 'G after', 'capability before', 'capability after', 'forget loss before', 'forget loss after'],
        routed.map((arm) => {
          const s = summaries.get(arm)!;
          const b = s.beforeAblation!;
          return [
            arm,
            fmt(b.conditions.neutral.U), fmt(s.conditions.neutral.U),
            fmt(b.conditions.neutral.G), fmt(s.conditions.neutral.G),
            fmt(b.conditions.neutral.capability), fmt(s.conditions.neutral.capability),
            fmt(b.forgetLoss, 3), fmt(s.forgetLoss, 3),
          ];
        }),
      ),
      '',
    );
  }
  if (paired.size > 0) {
    lines.push('## Paired difference from none, same seed (neutral prompt); * = its own 95% interval excludes 0 (descriptive, not corrected for multiple tests)', '');
    lines.push(
      ...table(
        ['arm', 'ΔU', 'ΔG', 'ΔW', 'Δcapability', 'Δretain loss'],
        order.filter((a) => paired.has(a)).map((arm) => {
          const p = paired.get(arm)!;
          return [arm, ...REPORT_METRICS.map((m) => fmtDiff(p.conditions.neutral[m])), fmtDiff(p.retainLoss, 3)];
        }),
      ),
      '',
    );
  }
  const first = summaries.get(order[0]!)?.relearning;
  if (first) {
    lines.push(`## Relearning attack (deployed model): attack steps until the neutral U rate reaches ${first.threshold}`, '');
    lines.push(`Censored attacks (not there within ${first.maxSteps} steps) count as ${first.maxSteps}; how many were censored is in brackets.`, '');
    lines.push(
      ...table(
        ['arm', 'U at step 0', ...first.attacks.map((a) => `n = ${a.n}`)],
        order.map((arm) => {
          const r = summaries.get(arm)!.relearning;
          return [arm, fmt(r.initialURate), ...r.attacks.map((a) => `${fmt(a.stepsToThreshold, 1)}${a.censored ? ` [${a.censored} censored]` : ''}`)];
        }),
      ),
      '',
    );
  }
  lines.push('## Checks', '');
  for (const c of checks) lines.push(`- **${c.holds === null ? 'measured' : c.holds ? 'holds' : 'does not hold'}** ${c.id}: ${c.statement}. ${c.detail}.`);
  lines.push('', '## Summary', '', summary, '');
  return lines.join('\n');
}

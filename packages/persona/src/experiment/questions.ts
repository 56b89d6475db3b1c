// The six questions the persona comparison exists for (docs/questions.md), each answered by its own seed-
// paired contrast of two arms, with a bootstrap interval, an exact sign-flip p-value and one Holm family over
// the six headline contrasts. Which arm plays which role is configuration (`questions` in the config), not
// a literal list here: a researcher's own routing arm can stand in for `routing`. A question whose arms were
// not run, or whose precondition (the instrument check it relies on) failed, says "not answerable here".
import { bootstrapRatio, decideFamily, pairedContrast, type BootstrapInterval, type PairedContrast, type SignificanceDecision } from '@routelab/core';
import { z } from 'zod';
import type { PersonaCellResult } from './cell.ts';
import type { InstrumentCheck } from './instrument.ts';
import type { NeutralTraitLogProbs } from './elicitation.ts';

export const questionRolesSchema = z.strictObject({
  /** No intervention: trained on U + W data under the neutral prompt. */
  baseline: z.string().default('none'),
  /** The inoculation arm the routing arm is compared with. */
  inoculation: z.string().default('ip-specific'),
  /** A fixed prompt unrelated to any trait (the conditionalization control). */
  irrelevantControl: z.string().default('control-irrelevant'),
  routing: z.string().default('era'),
  /** Routing and inoculation together. */
  combined: z.string().default('era+ip'),
  /** Routing with random tokens routed instead of U tokens, then ablated: ablation and capacity alone. */
  placebo: z.string().default('era-placebo'),
  /** The impure-data comparison (fraction p of the examples carries U), each against no intervention on the same data. */
  impureBaseline: z.string().default('none-impure'),
  impureInoculation: z.string().default('impure-ip-u-only'),
  impureFilter: z.string().default('filter'),
  impureRouting: z.string().default('era-impure'),
  /** A model that never saw U in stage 2: the relearning reference. */
  neverExposed: z.string().default('filter'),
  /** The prior itself (an arm with train: false): the second never-exposed reference, shown beside when it ran. */
  prior: z.string().default('prior'),
});
export type QuestionRoles = z.output<typeof questionRolesSchema>;

export interface ContrastSummary {
  /** e.g. "era - ip-specific, neutral U". */
  label: string;
  estimate: number;
  lo: number;
  hi: number;
  n: number;
  perSeed: number[];
  pValue: number;
  minAttainableP: number;
  /** Filled in for the headline contrasts (one Holm family); descriptive contrasts have none. */
  decision?: SignificanceDecision;
}

export interface QuestionAnswer {
  id: string;
  question: string;
  /** One sentence, with the interval; or why it cannot be answered here. */
  answer: string;
  answerable: boolean;
  headline?: ContrastSummary;
  /** What goes beside the headline (W, capability, controls). */
  beside: ContrastSummary[];
  /** Ratios with their intervals (e.g. the conditionalization share). */
  ratios?: { label: string; estimate: number; lo: number; hi: number; defined: boolean; reason: string | null }[];
}

type Metric = (c: PersonaCellResult) => number | null;
const neutral = (m: 'U' | 'W' | 'G' | 'capability'): Metric => (c) => c.eval.neutral[m];
const underInoculation = (m: 'U'): Metric => (c) => c.eval.inoculation[m];
const priorNeutral = (m: 'G'): Metric => (c) => c.prior.quality.neutral[m];
/**
 * G tokens' log-probability at their slot under neutral (teacher-forced), of the deployed model or of the seed's
 * prior: a metric of any cell that carries traitLogProb (persona and rl cells alike).
 */
export const gLogProbOf =
  (which: keyof NeutralTraitLogProbs) =>
  (c: { traitLogProb?: NeutralTraitLogProbs }): number | null =>
    c.traitLogProb?.[which].G ?? null;
const gLogProb = gLogProbOf('deployed');
const priorGLogProb = gLogProbOf('prior');
const relearnSteps: Metric = (c) => {
  const attack = c.relearning.attacks.at(-1);
  return attack ? (attack.stepsToThreshold ?? c.relearning.maxSteps) : null;
};

const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const signed = (x: number, digits = 2) => `${x >= 0 ? '+' : ''}${fmt(x, digits)}`;

/**
 * Per-seed values of two arms (or two metrics of one arm) on the seeds both have, in seed order, where the
 * metric is defined and finite for both (the rl report's questions use it too, on their own cells).
 */
export function paired<C extends { seed: number }>(
  byArm: ReadonlyMap<string, readonly C[]>,
  a: string,
  metricA: (c: C) => number | null,
  b: string,
  metricB: (c: C) => number | null = metricA,
): [number[], number[]] {
  const bBySeed = new Map((byArm.get(b) ?? []).map((c) => [c.seed, c]));
  const xs: number[] = [];
  const ys: number[] = [];
  for (const c of [...(byArm.get(a) ?? [])].sort((x, y) => x.seed - y.seed)) {
    const other = bBySeed.get(c.seed);
    const [x, y] = [metricA(c), other ? metricB(other) : null];
    if (x !== null && y !== null && Number.isFinite(x) && Number.isFinite(y)) {
      xs.push(x);
      ys.push(y);
    }
  }
  return [xs, ys];
}

/** xs minus ys paired by position (seed): bootstrap interval and exact sign-flip p (the rl report's questions use it too). */
export function contrast(label: string, xs: number[], ys: number[], bounds: readonly [number, number] | undefined): ContrastSummary | undefined {
  if (xs.length === 0) return undefined;
  const c: PairedContrast = pairedContrast(xs, ys, { ...(bounds ? { bounds } : {}), seed: label });
  return { label, estimate: c.interval.estimate, lo: c.interval.lo, hi: c.interval.hi, n: c.n, perSeed: c.interval.perSeed, pValue: c.pValue, minAttainableP: c.minAttainableP };
}

const RATE_DIFF = [-1, 1] as const;

/** "; beside it, a; b" for the contrasts shown beside a headline (nothing when there are none). */
function besideText(beside: readonly ContrastSummary[]): string {
  return beside.length ? `; beside it, ${beside.map((c) => describeContrast(c)).join('; ')}` : '';
}

export function describeContrast(c: ContrastSummary, digits = 2): string {
  const interval = c.n > 1 && Number.isFinite(c.lo) ? ` [${fmt(c.lo, digits)}, ${fmt(c.hi, digits)}]` : ' (one seed: no interval)';
  const verdict = c.decision ? (c.decision.significant ? ', significant' : `, not significant (${c.decision.reason})`) : '';
  return `${c.label} ${signed(c.estimate, digits)}${interval}, n=${c.n}${verdict}`;
}

interface QuestionDef {
  id: string;
  question: string;
  /** Roles whose arms must have cells. */
  needs: (keyof QuestionRoles)[];
  /** Instrument checks this question relies on (by id). */
  relies: string[];
  build(byArm: ReadonlyMap<string, PersonaCellResult[]>, r: QuestionRoles): Omit<QuestionAnswer, 'id' | 'question' | 'answer' | 'answerable'> & { sentence: (headline: string) => string };
}

const QUESTIONS: QuestionDef[] = [
  {
    id: 'q1-routing-vs-ip',
    question: 'Does routing beat inoculation on the unwanted trait at equal retention of the wanted trait and the task?',
    needs: ['routing', 'inoculation'],
    relies: ['prior-capability', 'baseline-learns'],
    build(byArm, r) {
      const headline = contrast(`${r.routing} - ${r.inoculation}, neutral U`, ...paired(byArm, r.routing, neutral('U'), r.inoculation), RATE_DIFF);
      const beside = [
        contrast(`${r.routing} - ${r.inoculation}, neutral W`, ...paired(byArm, r.routing, neutral('W'), r.inoculation), RATE_DIFF),
        contrast(`${r.routing} - ${r.inoculation}, capability`, ...paired(byArm, r.routing, neutral('capability'), r.inoculation), RATE_DIFF),
        contrast(`${r.routing} - ${r.placebo} (placebo), neutral U`, ...paired(byArm, r.routing, neutral('U'), r.placebo), RATE_DIFF),
      ].filter((c): c is ContrastSummary => c !== undefined);
      // Capability retained, as a fraction of the baseline's, for both methods (ratios with paired-bootstrap intervals).
      const ratios = [r.routing, r.inoculation].flatMap((arm) => {
        const seeds = commonSeeds(byArm, [arm, r.baseline]);
        if (seeds.length === 0) return [];
        const arms = Object.fromEntries([arm, r.baseline].map((a) => [a, seeds.map((s) => seedValue(byArm, a, s, neutral('capability')))]));
        return [ratioSummary(`capability retained by ${arm} (fraction of ${r.baseline}'s)`, bootstrapRatio(arms, (m) => m[arm]!, (m) => m[r.baseline]!, { seed: `retained-${arm}` }))];
      });
      return {
        ...(headline ? { headline } : {}),
        beside,
        ratios,
        sentence: (h) =>
          `Routing minus inoculation on the neutral-prompt U rate: ${h}; beside it, ${beside.map((c) => describeContrast(c)).join('; ')}` +
          `${ratios.length ? `; ${ratios.map((x) => `${x.label} ${x.defined ? `${fmt(x.estimate)} [${fmt(x.lo)}, ${fmt(x.hi)}]` : `undefined (${x.reason})`}`).join('; ')}` : ''}.`,
      };
    },
  },
  {
    id: 'q2-conditionalization',
    question: "How much of inoculation's effect survives the irrelevant-prompt control (conditionalization)?",
    needs: ['baseline', 'inoculation', 'irrelevantControl'],
    relies: ['prior-capability', 'baseline-learns'],
    build(byArm, r) {
      const headline = contrast(`${r.irrelevantControl} - ${r.baseline}, neutral U`, ...paired(byArm, r.irrelevantControl, neutral('U'), r.baseline), RATE_DIFF);
      const ip = contrast(`${r.inoculation} - ${r.baseline}, neutral U`, ...paired(byArm, r.inoculation, neutral('U'), r.baseline), RATE_DIFF);
      const w = contrast(`${r.irrelevantControl} - ${r.baseline}, neutral W`, ...paired(byArm, r.irrelevantControl, neutral('W'), r.baseline), RATE_DIFF);
      const seeds = commonSeeds(byArm, [r.baseline, r.inoculation, r.irrelevantControl]);
      const arms = Object.fromEntries([r.baseline, r.inoculation, r.irrelevantControl].map((a) => [a, seeds.map((s) => seedValue(byArm, a, s, neutral('U')))]));
      const share = seeds.length > 0 ? bootstrapRatio(arms, (m) => m[r.baseline]! - m[r.irrelevantControl]!, (m) => m[r.baseline]! - m[r.inoculation]!, { seed: 'q2-share' }) : undefined;
      const ratios = share ? [ratioSummary(`share of ${r.inoculation}'s U reduction that ${r.irrelevantControl} reproduces`, share)] : [];
      return {
        ...(headline ? { headline } : {}),
        beside: [ip, w].filter((c): c is ContrastSummary => c !== undefined),
        ratios,
        sentence: (h) =>
          `The irrelevant prompt alone changes neutral U by ${h}; inoculation by ${ip ? describeContrast(ip) : 'n/a'}` +
          (share ? `; the irrelevant prompt reproduces ${share.defined ? `${fmt(share.estimate * 100, 0)}% [${fmt(share.lo * 100, 0)}%, ${fmt(share.hi * 100, 0)}%]` : `an undefined share (${share.reason})`} of inoculation's reduction` : '') +
          '.',
      };
    },
  },
  {
    id: 'q3-impure-data',
    question: 'How do inoculation, filtering and routing fare with impure data (a fraction of the examples carries U)?',
    needs: ['impureBaseline', 'impureInoculation'],
    relies: ['prior-capability', 'baseline-learns'],
    build(byArm, r) {
      const against = (arm: string) => contrast(`${arm} - ${r.impureBaseline}, neutral U`, ...paired(byArm, arm, neutral('U'), r.impureBaseline), RATE_DIFF);
      const headline = against(r.impureInoculation);
      const beside = [against(r.impureFilter), against(r.impureRouting)].filter((c): c is ContrastSummary => c !== undefined);
      return {
        ...(headline ? { headline } : {}),
        beside,
        sentence: (h) => `On impure data, inoculating the U examples against no intervention on the same data, neutral U: ${h}; beside it, ${beside.map((c) => describeContrast(c)).join('; ') || 'no filter or routing arm on this data'}.`,
      };
    },
  },
  {
    id: 'q4-generalised-trait',
    question: 'Does a trait that only appears through generalisation (G) emerge, and does routing or inoculation stop it?',
    needs: ['baseline', 'routing', 'inoculation'],
    relies: ['prior-capability', 'baseline-learns', 'g-emerges'],
    build(byArm, r) {
      const headline = contrast(`${r.routing} - ${r.inoculation}, neutral G`, ...paired(byArm, r.routing, neutral('G'), r.inoculation), RATE_DIFF);
      const emerges = contrast(`${r.baseline} - prior, neutral G`, ...paired(byArm, r.baseline, neutral('G'), r.baseline, priorNeutral('G')), RATE_DIFF);
      // Greedy G flips all or nothing per seed; the log-probability shows how far each arm moved it regardless.
      const logProb = contrast(`${r.routing} - ${r.inoculation}, neutral G log-probability (nats)`, ...paired(byArm, r.routing, gLogProb, r.inoculation), undefined);
      const emergesLogProb = contrast(`${r.baseline} - prior, neutral G log-probability (nats)`, ...paired(byArm, r.baseline, gLogProb, r.baseline, priorGLogProb), undefined);
      const beside = [emerges, emergesLogProb, logProb].filter((c): c is ContrastSummary => c !== undefined);
      return { ...(headline ? { headline } : {}), beside, sentence: (h) => `Routing minus inoculation on the generalised trait G (neutral prompt): ${h}${besideText(beside)}.` };
    },
  },
  {
    id: 'q5-robustness',
    question: "How fast does each method's suppressed trait come back under a relearning attack, and does inoculation's come back with its prompt?",
    needs: ['routing', 'neverExposed', 'inoculation'],
    relies: ['prior-capability', 'baseline-learns'],
    build(byArm, r) {
      const headline = contrast(`${r.routing} - ${r.neverExposed}, relearning steps to U >= 0.5 (largest n)`, ...paired(byArm, r.routing, relearnSteps, r.neverExposed), undefined);
      const reElicited = contrast(`${r.inoculation}: U with its prompt - U without`, ...paired(byArm, r.inoculation, underInoculation('U'), r.inoculation, neutral('U')), RATE_DIFF);
      const vsPrior = byArm.has(r.prior)
        ? contrast(`${r.routing} - ${r.prior}, relearning steps to U >= 0.5 (largest n)`, ...paired(byArm, r.routing, relearnSteps, r.prior), undefined)
        : undefined;
      return {
        ...(headline ? { headline } : {}),
        beside: [vsPrior, reElicited].filter((c): c is ContrastSummary => c !== undefined),
        sentence: (h) => `Attack steps until U returns, routing minus a model never exposed to U: ${h} (more steps = harder to relearn)${besideText([vsPrior, reElicited].filter((c): c is ContrastSummary => c !== undefined))}.`,
      };
    },
  },
  {
    id: 'q6-combined',
    question: 'Does combining routing and inoculation beat both?',
    needs: ['combined', 'routing', 'inoculation'],
    relies: ['prior-capability', 'baseline-learns'],
    build(byArm, r) {
      const better = betterSingle(byArm, r);
      const headline = contrast(`${r.combined} - ${better}, neutral U`, ...paired(byArm, r.combined, neutral('U'), better), RATE_DIFF);
      const beside = [contrast(`${r.combined} - ${better}, capability`, ...paired(byArm, r.combined, neutral('capability'), better), RATE_DIFF)].filter((c): c is ContrastSummary => c !== undefined);
      return { ...(headline ? { headline } : {}), beside, sentence: (h) => `The combination minus the better single method (${better}, lower mean neutral U): ${h}${besideText(beside)}.` };
    },
  },
];

function commonSeeds(byArm: ReadonlyMap<string, PersonaCellResult[]>, arms: string[]): number[] {
  const sets = arms.map((a) => new Set((byArm.get(a) ?? []).map((c) => c.seed)));
  return [...(sets[0] ?? [])].filter((s) => sets.every((set) => set.has(s))).sort((a, b) => a - b);
}

function seedValue(byArm: ReadonlyMap<string, PersonaCellResult[]>, arm: string, seed: number, metric: Metric): number {
  const c = byArm.get(arm)!.find((x) => x.seed === seed)!;
  return metric(c) ?? Number.NaN;
}

function betterSingle(byArm: ReadonlyMap<string, PersonaCellResult[]>, r: QuestionRoles): string {
  const meanU = (arm: string) => {
    const values = (byArm.get(arm) ?? []).map((c) => c.eval.neutral.U);
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.POSITIVE_INFINITY;
  };
  return meanU(r.routing) <= meanU(r.inoculation) ? r.routing : r.inoculation;
}

function ratioSummary(label: string, r: BootstrapInterval): NonNullable<QuestionAnswer['ratios']>[number] {
  return { label, estimate: r.estimate, lo: r.lo, hi: r.hi, defined: r.defined, reason: r.reason };
}


export function answerQuestions(byArm: ReadonlyMap<string, PersonaCellResult[]>, roles: QuestionRoles, checks: readonly InstrumentCheck[]): QuestionAnswer[] {
  const failed = new Set<string>(checks.filter((c) => c.holds === false).map((c) => c.id));
  const drafts = QUESTIONS.map((q) => {
    const missing = q.needs.map((role) => roles[role]).filter((arm) => !byArm.has(arm));
    const broken = q.relies.filter((id) => failed.has(id));
    if (missing.length > 0) return { q, why: `not answerable here: arm${missing.length > 1 ? 's' : ''} ${[...new Set(missing)].join(', ')} not in the results` };
    const built = q.build(byArm, roles);
    if (broken.length > 0) return { q, built, why: `not answerable here: the instrument check${broken.length > 1 ? 's' : ''} ${broken.join(', ')} failed (the contrast is shown as measured)` };
    return { q, built };
  });
  // One Holm family: the headline contrasts of the questions that could be answered.
  const family = drafts.filter((d) => !d.why && d.built?.headline);
  const decisions = decideFamily(family.map((d) => ({ ...d.built!.headline!, interval: { lo: d.built!.headline!.lo, hi: d.built!.headline!.hi } })));
  family.forEach((d, i) => (d.built!.headline!.decision = decisions[i]));
  return drafts.map(({ q, built, why }) => {
    const { sentence, ...rest } = built ?? { sentence: () => '', beside: [] };
    const headline = rest.headline ? describeContrast(rest.headline) : 'no paired seeds';
    return {
      id: q.id,
      question: q.question,
      answerable: !why,
      answer: why ? `${why}${built ? `. Measured: ${sentence(headline)}` : '.'}` : sentence(headline),
      ...rest,
    };
  });
}

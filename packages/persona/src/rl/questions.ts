// The questions the `rl` experiment exists for (docs/rl.md), each answered by its own seed-paired contrast of
// two arms with the persona report's machinery (experiment/questions.ts: a bootstrap interval, an exact
// sign-flip p-value, one Holm family over the headline contrasts, no zero-width interval called significant).
// Which arm plays which role is configuration (`questions` in the rl config). A question whose arms were not
// run says so; every question relies on the instrument check (none learns to hack): when it failed, or was
// not measured, the answer is "not answerable here", with the contrast shown as measured.
import { decideFamily } from '@routelab/core';
import { z } from 'zod';
import { contrast, describeContrast, gLogProbOf, paired, type ContrastSummary, type QuestionAnswer } from '../experiment/questions.ts';
import type { RlCellResult } from './cell.ts';

export const rlQuestionRolesSchema = z.strictObject({
  /** Plain RL. */
  baseline: z.string().default('none'),
  /** On-policy inoculation with the prompt that names the hack. */
  inoculation: z.string().default('ip-on-policy'),
  /** On-policy inoculation with a general prompt. */
  generalInoculation: z.string().default('ip-general'),
  /** Rollouts and loss under an irrelevant prompt (the conditionalization control). */
  irrelevantControl: z.string().default('control-irrelevant'),
  /** Rollouts under neutral, loss under permissive. */
  recontextualization: z.string().default('recontextualization'),
  /** Rollouts and loss under permissive. */
  samePrompt: z.string().default('recontextualization-same-prompt'),
  /** Routing at full oversight. */
  routing: z.string().default('era'),
  /** Routing at each monitor recall, highest first (the first is usually `routing`). */
  routingByRecall: z.array(z.string()).default(['era', 'era-recall-0.5', 'era-recall-0.1', 'era-recall-0.01']),
  /** Filtering at each monitor recall, highest first. */
  filterByRecall: z.array(z.string()).default(['filter', 'filter-recall-0.1', 'filter-recall-0.01']),
  /** Early stopping at full oversight. */
  earlyStopping: z.string().default('early-stopping'),
  /** Early stopping at a low recall, and routing at the same recall. */
  lowRecallEarlyStopping: z.string().default('early-stopping-recall-0.1'),
  lowRecallRouting: z.string().default('era-recall-0.1'),
  /** Routing and inoculation together. */
  combined: z.string().default('era+ip'),
});
export type RlQuestionRoles = z.output<typeof rlQuestionRolesSchema>;
export const DEFAULT_RL_QUESTION_ROLES: RlQuestionRoles = rlQuestionRolesSchema.parse({});

type Metric = (c: RlCellResult) => number | null;
const hack: Metric = (c) => c.deployed.neutral.hack;
const truth: Metric = (c) => c.deployed.neutral.true;
const capability: Metric = (c) => c.deployed.neutral.capability;
const g: Metric = (c) => c.deployed.neutral.G;
const reElicited: Metric = (c) => c.deployed.inoculation.hack;
const gLogProb: Metric = gLogProbOf('deployed');
const priorGLogProb: Metric = gLogProbOf('prior');
/** The policy before any RL step (the prior, on the same held-out tasks). */
const atStart = (m: 'G' | 'hack'): Metric => (c) => c.curve.find((p) => p.step === 0)?.neutral[m] ?? null;

const RATE_DIFF = [-1, 1] as const;

type ByArm = ReadonlyMap<string, RlCellResult[]>;

/** a minus b on a rate metric, labelled "a - b, what". */
function rate(byArm: ByArm, a: string, b: string, metric: Metric, what: string): ContrastSummary | undefined {
  return contrast(`${a} - ${b}, ${what}`, ...paired(byArm, a, metric, b), RATE_DIFF);
}

const present = (xs: (ContrastSummary | undefined)[]) => xs.filter((c): c is ContrastSummary => c !== undefined);
const listed = (cs: ContrastSummary[]) => cs.map((c) => describeContrast(c)).join('; ');

interface QuestionDef {
  id: string;
  question: string;
  /** Roles whose arms must have cells. */
  needs: (r: RlQuestionRoles) => string[];
  build(byArm: ByArm, r: RlQuestionRoles): { headline?: ContrastSummary; beside: ContrastSummary[]; sentence: (headline: string) => string };
}

function meanOf(byArm: ByArm, arm: string, metric: Metric): number {
  const values = (byArm.get(arm) ?? []).map(metric).filter((v): v is number => v !== null && Number.isFinite(v));
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.POSITIVE_INFINITY;
}

const QUESTIONS: QuestionDef[] = [
  {
    id: 'routing-vs-ip',
    question: 'Does gradient routing prevent the hack better than on-policy inoculation, at what cost in true reward and capability?',
    needs: (r) => [r.routing, r.inoculation],
    build(byArm, r) {
      const headline = rate(byArm, r.routing, r.inoculation, hack, 'neutral hack rate');
      const beside = present([
        rate(byArm, r.routing, r.inoculation, truth, 'true reward'),
        rate(byArm, r.routing, r.inoculation, capability, 'capability'),
        rate(byArm, r.routing, r.inoculation, reElicited, 'hack rate with the inoculation prompt re-added'),
      ]);
      return { ...(headline ? { headline } : {}), beside, sentence: (h) => `Routing minus inoculation on the deployed neutral hack rate: ${h}; beside it, ${listed(beside)}.` };
    },
  },
  {
    id: 'ip-vs-irrelevant-prompt',
    question: "Is on-policy inoculation's effect more than training under any fixed prompt (the irrelevant-prompt control)?",
    needs: (r) => [r.inoculation, r.irrelevantControl],
    build(byArm, r) {
      const headline = rate(byArm, r.inoculation, r.irrelevantControl, hack, 'neutral hack rate');
      const beside = present([
        rate(byArm, r.inoculation, r.baseline, hack, 'neutral hack rate'),
        rate(byArm, r.irrelevantControl, r.baseline, hack, 'neutral hack rate'),
        rate(byArm, r.inoculation, r.irrelevantControl, truth, 'true reward'),
      ]);
      return { ...(headline ? { headline } : {}), beside, sentence: (h) => `Inoculation minus the irrelevant-prompt control on the neutral hack rate: ${h}; beside it, ${listed(beside)}.` };
    },
  },
  {
    id: 'recontextualization-vs-same-prompt',
    question: 'Does recontextualization (rollouts under neutral, loss under permissive) hack less than the same-prompt variant (both under permissive)?',
    needs: (r) => [r.recontextualization, r.samePrompt],
    build(byArm, r) {
      const headline = rate(byArm, r.recontextualization, r.samePrompt, hack, 'neutral hack rate');
      const beside = present([
        rate(byArm, r.recontextualization, r.samePrompt, truth, 'true reward'),
        rate(byArm, r.recontextualization, r.baseline, hack, 'neutral hack rate'),
        rate(byArm, r.samePrompt, r.baseline, hack, 'neutral hack rate'),
      ]);
      return { ...(headline ? { headline } : {}), beside, sentence: (h) => `Recontextualization minus the same-prompt variant on the neutral hack rate: ${h}; beside it, ${listed(beside)}.` };
    },
  },
  {
    id: 'general-vs-specific-prompt',
    question: 'Does a general inoculation prompt work as well as the specific one?',
    needs: (r) => [r.generalInoculation, r.inoculation],
    build(byArm, r) {
      const headline = rate(byArm, r.generalInoculation, r.inoculation, hack, 'neutral hack rate');
      const beside = present([
        rate(byArm, r.generalInoculation, r.inoculation, truth, 'true reward'),
        rate(byArm, r.generalInoculation, r.inoculation, g, 'neutral G'),
      ]);
      return { ...(headline ? { headline } : {}), beside, sentence: (h) => `General minus specific inoculation prompt on the neutral hack rate: ${h}; beside it, ${listed(beside)}.` };
    },
  },
  {
    id: 'oversight-and-early-stopping',
    question: 'How does routing fare as the monitor’s recall falls, and does early stopping match routing at low recall?',
    needs: (r) => [r.lowRecallEarlyStopping, r.lowRecallRouting],
    build(byArm, r) {
      const headline = rate(byArm, r.lowRecallEarlyStopping, r.lowRecallRouting, hack, 'neutral hack rate');
      const beside = present([
        rate(byArm, r.lowRecallEarlyStopping, r.lowRecallRouting, truth, 'true reward'),
        rate(byArm, r.earlyStopping, r.routing, hack, 'neutral hack rate'),
        ...r.routingByRecall.map((arm) => rate(byArm, arm, r.baseline, hack, 'neutral hack rate')),
        ...r.routingByRecall.map((arm) => rate(byArm, arm, r.baseline, truth, 'true reward')),
        ...r.filterByRecall.map((arm) => rate(byArm, arm, r.baseline, hack, 'neutral hack rate')),
      ]);
      return {
        ...(headline ? { headline } : {}),
        beside,
        sentence: (h) => `Early stopping minus routing at the same low recall, neutral hack rate: ${h}; beside it, across recall: ${listed(beside)}.`,
      };
    },
  },
  {
    id: 'combined-vs-better-single',
    question: 'Does routing plus inoculation beat the better of the two alone?',
    needs: (r) => [r.combined, r.routing, r.inoculation],
    build(byArm, r) {
      const better = meanOf(byArm, r.routing, hack) <= meanOf(byArm, r.inoculation, hack) ? r.routing : r.inoculation;
      const headline = rate(byArm, r.combined, better, hack, 'neutral hack rate');
      const beside = present([rate(byArm, r.combined, better, truth, 'true reward'), rate(byArm, r.combined, better, capability, 'capability')]);
      return {
        ...(headline ? { headline } : {}),
        beside,
        sentence: (h) => `The combination minus the better single method (${better}, lower mean neutral hack rate): ${h}; beside it, ${listed(beside)}.`,
      };
    },
  },
  {
    id: 'hacking-brings-g',
    question: "Does learning to hack bring the persona's other trait (G) along?",
    needs: (r) => [r.baseline],
    build(byArm, r) {
      const headline = contrast(`${r.baseline} after RL - before RL (the prior), neutral G`, ...paired(byArm, r.baseline, g, r.baseline, atStart('G')), RATE_DIFF);
      const beside = present([
        // Greedy G flips all or nothing; its log-probability shows how far RL moved it on every seed.
        contrast(`${r.baseline} after RL - the prior, neutral G log-probability (nats)`, ...paired(byArm, r.baseline, gLogProb, r.baseline, priorGLogProb), undefined),
        contrast(`${r.baseline} after RL - before RL, neutral hack rate`, ...paired(byArm, r.baseline, hack, r.baseline, atStart('hack')), RATE_DIFF),
      ]);
      return { ...(headline ? { headline } : {}), beside, sentence: (h) => `Plain RL's change in the generalised trait G on held-out G-only tasks: ${h}; beside it, ${listed(beside)}.` };
    },
  },
];

/** Answers every question; `instrumentMet` is the report's check (null: not measured). */
export function answerRlQuestions(byArm: ByArm, roles: RlQuestionRoles, instrumentMet: boolean | null): QuestionAnswer[] {
  const drafts = QUESTIONS.map((q) => {
    const missing = [...new Set(q.needs(roles).filter((arm) => !byArm.has(arm)))];
    if (missing.length > 0) return { q, why: `not answerable here: arm${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not in the results` };
    const built = q.build(byArm, roles);
    if (instrumentMet !== true) {
      const why = instrumentMet === false ? 'the instrument check (none learns to hack) failed' : 'the instrument check (none learns to hack) was not measured';
      return { q, built, why: `not answerable here: ${why} (the contrast is shown as measured)` };
    }
    return { q, built };
  });
  // One Holm family: the headline contrasts of the questions that could be answered.
  const family = drafts.filter((d) => !d.why && d.built?.headline);
  const decisions = decideFamily(family.map((d) => ({ ...d.built!.headline!, interval: { lo: d.built!.headline!.lo, hi: d.built!.headline!.hi } })));
  family.forEach((d, i) => (d.built!.headline!.decision = decisions[i]));
  return drafts.map(({ q, built, why }) => {
    const { sentence, ...rest } = built ?? { sentence: () => '', beside: [] };
    const headline = rest.headline ? describeContrast(rest.headline) : 'no paired seeds';
    return { id: q.id, question: q.question, answerable: !why, answer: why ? `${why}${built ? `. Measured: ${sentence(headline)}` : '.'}` : sentence(headline), ...rest };
  });
}

import { pairedDifference } from '@routelab/core';
import { describe, expect, it } from 'vitest';
import { builtinArms } from './arms.ts';
import type { PersonaCellResult } from './cell.ts';
import type { ConditionRates, Rates } from './evaluate.ts';
import { PRIOR_QUALITY_PROMPTS, type PriorQuality } from './prior.ts';
import { buildPersonaReport, type PersonaReportJson, type ReportCheck } from './report.ts';

const rates = (r: Partial<Rates>): Rates => ({ n: 100, W: 0, U: 0, G: 0, capability: 0.5, ...r });
const conditions = (neutral: Partial<Rates>): ConditionRates => ({
  neutral: rates(neutral),
  inoculation: rates({ U: 1 }),
  irrelevant: rates(neutral),
  negated: rates({}),
});
const quality = Object.fromEntries(PRIOR_QUALITY_PROMPTS.map((p) => [p, rates({ U: p === 'specific' ? 1 : 0 })])) as PriorQuality;

const ARMS = builtinArms({ expandedUnits: 4, expandedLayers: 'all', expandedLrMultiplier: 10 });

function cell(arm: string, seed: number, neutral: Partial<Rates>, extra: Partial<PersonaCellResult> = {}): PersonaCellResult {
  return {
    arm,
    seed,
    data: ARMS[arm]!.data,
    scheme: ARMS[arm]!.scheme ?? 'none',
    oversight: { labelFraction: 1, labelNoise: 0, placebo: false },
    inoculationPrompt: 'specific',
    stage2: { examples: 100, steps: 10, finalLoss: 0.1, coherenceSteps: 0 },
    prior: { key: 'k', quality },
    eval: conditions(neutral),
    retainLoss: 1 + seed / 10,
    forgetLoss: 2,
    relearning: {
      threshold: 0.5,
      maxSteps: 4,
      evalEvery: 2,
      lr: 1e-3,
      initialURate: neutral.U ?? 0,
      attacks: [{ n: 4, stepsToThreshold: 2, curve: [{ step: 0, uRate: neutral.U ?? 0, forgetLoss: 2 }, { step: 2, uRate: 1, forgetLoss: 0.1 }] }],
    },
    timing: { prior: 0, priorTrained: false, stage2: 1, evaluation: 1, relearning: 1, total: 3, cpu: 3 },
    ...extra,
  };
}

const seeds = [0, 1, 2];
const noneU = [0.9, 0.95, 0.85];
const cells: PersonaCellResult[] = [
  ...seeds.map((s) => cell('none', s, { U: noneU[s]!, W: 0.9, capability: 0.4 })),
  ...seeds.map((s) => cell('ip-specific', s, { U: [0.1, 0.05, 0.2][s]!, W: [0.3, 0.2, 0.25][s]!, capability: 0.2 })),
  ...seeds.map((s) => cell('control-irrelevant', s, { U: [0.7, 0.6, 0.75][s]!, W: 0.8, capability: 0.3 })),
  ...seeds.map((s) =>
    cell('era', s, { U: [0.05, 0.1, 0.0][s]!, W: 0.7, capability: 0.3 }, { beforeAblation: { eval: conditions({ U: 1, capability: 0.1 }), retainLoss: 3, forgetLoss: 0.01 } }),
  ),
];
const check = (checks: ReportCheck[], id: string) => checks.find((c) => c.id === id)!;

describe('buildPersonaReport', () => {
  const report = buildPersonaReport(cells, { arms: ['none', 'ip-specific', 'control-irrelevant', 'era'] });
  const json = report.json as unknown as PersonaReportJson;

  it('summarises each arm and condition over seeds', () => {
    expect(json.arms).toEqual(['none', 'ip-specific', 'control-irrelevant', 'era']);
    expect(json.results.none!.conditions.neutral.U!.mean).toBeCloseTo(0.9, 12);
    expect(json.results.none!.conditions.neutral.U!.n).toBe(3);
    expect(json.results.era!.beforeAblation!.conditions.neutral.U!.mean).toBe(1);
    expect(json.results.none!.retainLoss.mean).toBeCloseTo(1.1, 12);
    expect(json.prior.quality.specific.U!.mean).toBe(1);
  });

  it('pairs every arm with none by seed', () => {
    const ipU = [0.1, 0.05, 0.2];
    const expected = pairedDifference(ipU, noneU);
    const got = json.pairedVsNone['ip-specific']!.conditions.neutral.U!;
    expect(got.mean).toBeCloseTo(expected.mean, 12);
    expect(got.hi).toBeCloseTo(expected.hi, 12);
    expect(got.significant).toBe(true);
    expect(json.pairedVsNone['ip-specific']!.seeds).toEqual(seeds);
    // era's W differs from none's by the same amount in every seed: a zero-width interval is never significant.
    expect(json.pairedVsNone.era!.conditions.neutral.W!.significant).toBe(false);
  });

  it('states the checks as measured, including the ones that fail', () => {
    const checks = json.checks as ReportCheck[];
    // U is cut significantly, but W (0.25) is not learned: the check fails and says why.
    const ip = check(checks, 'ip-specific-suppresses-U');
    expect(ip.holds).toBe(false);
    expect(ip.detail).toMatch(/ip-specific neutral W 0\.25/);
    expect(check(checks, 'conditionalization').detail).toMatch(/reproduces 28% of IP's reduction/);
    const era = check(checks, 'routing-era');
    expect(era.detail).toMatch(/before ablation 1\.00/);
    expect(era.detail).toMatch(/= 75% of none's/);
    // The fixture's prior elicits U under specific, but G under no prompt.
    expect(check(checks, 'prior-elicits-traits')).toMatchObject({ holds: false });
    expect(check(checks, 'prior-elicits-traits').detail).toMatch(/specific 1\.00 \[1\.00, 1\.00\], neutral 0\.00/);
  });

  it('opens with the instrument checks, failing plainly, and answers only what the instrument allows', () => {
    // The fixture's prior solves half the tasks (capability 0.5 < 0.95) and none's capability is 0.4.
    const prior = json.instrument.find((c) => c.id === 'prior-capability')!;
    expect(prior.holds).toBe(false);
    expect(json.instrument.find((c) => c.id === 'baseline-learns')!.holds).toBe(false);
    expect(report.markdown.indexOf('**Instrument check failed**')).toBeLessThan(report.markdown.indexOf('## Condition'));
    const q1 = json.questions.find((q) => q.id === 'q1-routing-vs-ip')!;
    expect(q1.answerable).toBe(false);
    expect(q1.answer).toMatch(/not answerable here: the instrument checks prior-capability, baseline-learns failed/);
    // The contrast is still shown as measured, seed by seed: era - ip-specific on neutral U.
    expect(q1.headline!.perSeed.map((v) => Number(v.toFixed(2)))).toEqual([-0.05, 0.05, -0.2]);
    expect(q1.headline!.decision).toBeUndefined();
    expect(json.questions.find((q) => q.id === 'q6-combined')!.answer).toMatch(/arm era\+ip not in the results/);
  });

  it('with a valid instrument, answers each question with its interval and a Holm-adjusted decision', () => {
    const good = (arm: string, s: number, neutral: Partial<Rates>) =>
      cell(arm, s, { capability: 0.96, W: 0.95, ...neutral }, { prior: { key: 'k', quality: { ...quality, neutral: { ...rates({ capability: 0.97 }), capabilityByFamily: { copy: 0.97 } } } } });
    const six = [0, 1, 2, 3, 4, 5];
    const valid = buildPersonaReport(
      [
        ...six.map((s) => good('none', s, { U: 0.95 })),
        ...six.map((s) => good('ip-specific', s, { U: 0.3 + s / 100 })),
        ...six.map((s) => good('era', s, { U: 0.05 + s / 200 })),
      ],
      { arms: ['none', 'ip-specific', 'era'] },
    ).json as unknown as PersonaReportJson;
    expect(valid.instrument.find((c) => c.id === 'prior-capability')!.holds).toBe(true);
    expect(valid.instrument.find((c) => c.id === 'baseline-learns')!.holds).toBe(true);
    const q1 = valid.questions.find((q) => q.id === 'q1-routing-vs-ip')!;
    expect(q1.answerable).toBe(true);
    expect(q1.headline!.estimate).toBeCloseTo(0.0625 - 0.325, 10);
    expect(q1.headline!.hi).toBeLessThan(0);
    // Six seeds, one answerable question in the family: exact p 2/64, significant.
    expect(q1.headline!.pValue).toBeCloseTo(2 / 64, 12);
    expect(q1.headline!.decision!.significant).toBe(true);
    expect(q1.ratios!.map((x) => [x.label, Number(x.estimate.toFixed(6))])).toEqual([
      ["capability retained by era (fraction of none's)", 1],
      ["capability retained by ip-specific (fraction of none's)", 1],
    ]);
    expect(q1.answer).toMatch(/^Routing minus inoculation on the neutral-prompt U rate: era - ip-specific, neutral U -0\.2\d \[-0\.\d\d, -0\.\d\d\], n=6, significant/);
  });

  it('names the significant differences in words and renders tables', () => {
    expect(json.summary).toMatch(/ip-specific vs none \(3 seeds, neutral prompt\): significant: U -0\.78/);
    expect(report.markdown).toContain('| era | 3 |');
    expect(report.markdown).toContain('does not hold** ip-specific-suppresses-U');
  });

  it('handles missing arms and single seeds without inventing intervals', () => {
    const single = buildPersonaReport([cell('era', 2, { U: 0.1 }), cell('none', 2, { U: 0.9 })], { arms: ['era'] });
    const j = single.json as unknown as PersonaReportJson;
    expect(j.arms).toEqual(['era', 'none']);
    expect(j.pairedVsNone.era!.conditions.neutral.U!.significant).toBe(false);
    expect(j.summary).toMatch(/fewer than two paired seeds/);
    expect(check(j.checks, 'ip-specific-suppresses-U').holds).toBeNull();
    const noNone = buildPersonaReport([cell('era', 0, { U: 0.1 })], { arms: ['era'] }).json as unknown as PersonaReportJson;
    expect(noNone.pairedVsNone).toEqual({});
    expect(noNone.summary).toMatch(/No arm could be paired with none/);
  });
});

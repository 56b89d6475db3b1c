import { describe, expect, it } from 'vitest';
import type { RlCellResult } from './cell.ts';
import type { PolicyRates } from './evaluate.ts';
import { buildRlReport, type RlReportJson } from './report.ts';

const rates = (hack: number, truth: number): PolicyRates => ({ n: 10, proxy: Math.max(hack, truth), true: truth, hack, G: null, capability: truth });

function cell(arm: string, seed: number, hack: number, truth: number, startTruth = 0.8): RlCellResult {
  return {
    arm, description: `${arm} arm`, seed, prompt: { rollout: 'neutral', loss: 'neutral' }, inoculationPrompt: 'specific', flagged: 'keep', penalty: 1, scheme: 'none',
    oversight: { recall: 1, falsePositiveRate: 0 },
    steps: [{ step: 1, proxy: 1, true: truth, hack, flagged: hack, dropped: 0, loss: 0, kl: 0, routedTokens: 0 }],
    curve: [{ step: 0, neutral: rates(0, startTruth) }, { step: 1, neutral: rates(hack, truth) }],
    deployed: { neutral: rates(hack, truth), inoculation: rates(1, truth) },
    prior: { key: 'k', capability: startTruth },
    timing: { rl: 1, evaluation: 1, total: 2 },
  };
}

describe('rl report', () => {
  it('gives per-seed values, means, seed-paired differences from none and the instrument check as measured', () => {
    const leak = (share: number | null) => ({ gradientLeak: { region: ['blocks.*.mlp.*_expanded'], forgetShareOutside: share, forgetByGroup: {}, snapshots: 1 } });
    const cells = [cell('none', 0, 0.9, 0.4), cell('none', 1, 0.7, 0.5), { ...cell('era', 0, 0.1, 0.7), ...leak(0.25) }, { ...cell('era', 1, 0.3, 0.6), ...leak(null) }];
    const { json, markdown } = buildRlReport(cells, ['none', 'era']);
    const report = json as unknown as RlReportJson;
    const era = report.summaries.find((s) => s.arm === 'era')!;
    expect(era.metrics['hack rate (neutral)']!.perSeed).toEqual([0.1, 0.3]);
    expect(era.metrics['hack rate (neutral)']!.interval!.mean).toBeCloseTo(0.2, 12);
    expect(era.pairedVsNone!['hack rate (neutral)']!.mean).toBeCloseTo(-0.6, 12);
    expect(era.pairedVsNone!['hack rate (neutral)']!.seeds).toEqual([0, 1]);
    expect(era.curve.map((p) => p.step)).toEqual([0, 1]);
    expect(report.check.measured).toBeCloseTo(0.8, 12);
    expect(report.check.met).toBe(true);
    expect(report.check.perSeed).toEqual([{ seed: 0, hack: 0.9, true: 0.4, trueAtStart: 0.8 }, { seed: 1, hack: 0.7, true: 0.5, trueAtStart: 0.8 }]);
    expect(markdown).toMatch(/per seed \(hack rate, true reward after \/ before RL\): 0: 0\.900, 0\.400 \/ 0\.800; 1: 0\.700/);
    expect(report.keyMetrics['none: hack rate (neutral)']!.mean).toBeCloseTo(0.8, 12);
    expect(markdown).toMatch(/Instrument check: .*: met/);
    expect(markdown).toMatch(/\| era \| 0 \| 0\.700 \| 0\.700 \| 0\.100 \|/);
    expect(markdown).toMatch(/Difference from none/);
    expect(era.forgetShareOutside).toEqual([0.25, null]);
    expect(markdown).toMatch(/outside the ablated region, per seed: 0\.250, -/);
  });

  it('opens with its questions: seed-paired contrasts, one Holm family, no zero-width interval called significant', () => {
    const seeds = [0, 1, 2, 3, 4, 5, 6, 7];
    const cells = seeds.flatMap((s) => [
      cell('none', s, 0.9, 0.1, 0.9),
      // Routing hacks less than inoculation on every seed, by different amounts: a real interval.
      cell('era', s, 0.05 + 0.01 * s, 0.8),
      cell('ip-on-policy', s, 0.5, 0.45),
      // The irrelevant-prompt control equals inoculation on every seed (a zero-width interval at 0), and
      // recontextualization beats its same-prompt variant by exactly 0.2 on every seed (zero width away from 0).
      cell('control-irrelevant', s, 0.5, 0.45),
      cell('recontextualization', s, 0.3, 0.6),
      cell('recontextualization-same-prompt', s, 0.5, 0.4),
    ]);
    const report = buildRlReport(cells, ['none', 'era', 'ip-on-policy', 'control-irrelevant', 'recontextualization', 'recontextualization-same-prompt']);
    const json = report.json as unknown as RlReportJson;
    expect(json.check.met).toBe(true);
    const q = Object.fromEntries(json.questions.map((x) => [x.id, x]));
    const routing = q['routing-vs-ip']!;
    expect(routing.answerable).toBe(true);
    expect(routing.headline!.label).toBe('era - ip-on-policy, neutral hack rate');
    expect(routing.headline!.perSeed).toEqual(seeds.map((s) => expect.closeTo(0.05 + 0.01 * s - 0.5, 12)));
    expect(routing.headline!.n).toBe(8);
    expect(routing.headline!.decision!.significant).toBe(true);
    expect(routing.beside.map((c) => c.label)).toContain('era - ip-on-policy, true reward');
    const recontext = q['recontextualization-vs-same-prompt']!.headline!;
    expect(recontext.estimate).toBeCloseTo(-0.2, 12);
    expect(recontext.decision!.significant).toBe(false);
    expect(recontext.decision!.reason).toMatch(/zero-width/);
    expect(q['ip-vs-irrelevant-prompt']!.headline!.decision!.significant).toBe(false);
    // Arms not run: said so, no contrast.
    expect(q['combined-vs-better-single']!.answerable).toBe(false);
    expect(q['combined-vs-better-single']!.answer).toMatch(/not answerable here: arm era\+ip not in the results/);
    // Holm over the answerable headlines: each adjusted p is at least its own p.
    for (const x of json.questions.filter((x) => x.headline?.decision)) expect(x.headline!.decision!.adjustedP).toBeGreaterThanOrEqual(x.headline!.pValue);
    expect(report.markdown).toMatch(/## Questions\n\n[^\n]*\n\n- \*\*Does gradient routing prevent the hack/);
  });

  it("shows how far plain RL moved G's log-probability beside the greedy G change", () => {
    const withG = (s: number) => ({ ...cell('none', s, 0.9, 0.1), traitLogProb: { deployed: { U: -0.1, G: -8 + s, W: -0.1 }, prior: { U: -3, G: -9, W: -0.2 } } });
    const json = buildRlReport([0, 1, 2].map(withG), ['none']).json as unknown as RlReportJson;
    const g = json.questions.find((x) => x.id === 'hacking-brings-g')!;
    const logProb = g.beside.find((c) => c.label === 'none after RL - the prior, neutral G log-probability (nats)')!;
    expect(logProb.perSeed).toEqual([1, 2, 3]);
    // Cells written before the measure existed: no such contrast, the greedy headline as before.
    const old = buildRlReport([0, 1, 2].map((s) => cell('none', s, 0.9, 0.1)), ['none']).json as unknown as RlReportJson;
    expect(old.questions.find((x) => x.id === 'hacking-brings-g')!.beside.map((c) => c.label)).not.toContain('none after RL - the prior, neutral G log-probability (nats)');
  });

  it('questions are "not answerable here" when none did not learn to hack, with the contrast shown as measured', () => {
    const cells = [0, 1].flatMap((s) => [cell('none', s, 0.1, 0.7), cell('era', s, 0.05, 0.7), cell('ip-on-policy', s, 0.1, 0.7)]);
    const json = buildRlReport(cells, ['none', 'era', 'ip-on-policy']).json as unknown as RlReportJson;
    const routing = json.questions.find((x) => x.id === 'routing-vs-ip')!;
    expect(routing.answerable).toBe(false);
    expect(routing.answer).toMatch(/^not answerable here: the instrument check \(none learns to hack\) failed .*Measured: .*era - ip-on-policy, neutral hack rate -0\.05/);
    expect(routing.headline!.decision).toBeUndefined();
  });

  it('says plainly when none did not learn to hack, and when there is no none arm', () => {
    const notMet = buildRlReport([cell('none', 0, 0.2, 0.7)], ['none']).json as unknown as RlReportJson;
    expect(notMet.check.met).toBe(false);
    expect(notMet.check.note).toMatch(/NOT met/);
    const noNone = buildRlReport([cell('era', 0, 0.2, 0.7)], ['era']).json as unknown as RlReportJson;
    expect(noNone.check.met).toBeNull();
    expect(noNone.summaries[0]!.pairedVsNone).toBeUndefined();
  });
});

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
    expect(report.keyMetrics['none: hack rate (neutral)']!.mean).toBeCloseTo(0.8, 12);
    expect(markdown).toMatch(/Instrument check: .*: met/);
    expect(markdown).toMatch(/\| era \| 0 \| 0\.700 \| 0\.700 \| 0\.100 \|/);
    expect(markdown).toMatch(/Difference from none/);
    expect(era.forgetShareOutside).toEqual([0.25, null]);
    expect(markdown).toMatch(/outside the ablated region, per seed: 0\.250, -/);
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

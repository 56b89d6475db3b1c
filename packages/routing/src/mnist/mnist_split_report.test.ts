import { describe, expect, it } from 'vitest';
import type { CellResult } from './cell.ts';
import { MNIST_SPLIT_PRESETS, resolveArm } from './mnist_split_config.ts';
import { buildReport } from './mnist_split_report.ts';

const config = MNIST_SPLIT_PRESETS.quick;
const arms = config.arms.map((a) => resolveArm(config, a));

/** A cell whose certificate b has error `b0` on every digit 0-4 and `b1` on 5-9 (a mirrored), plus noise. */
function cell(arm: string, seed: number, b0: number, b1: number): CellResult {
  const jitter = 0.002 * (seed - 1);
  const perDigitB = Array.from({ length: 10 }, (_, d) => (d < 5 ? b0 : b1) + jitter);
  const perDigitA = Array.from({ length: 10 }, (_, d) => (d < 5 ? b1 : b0) + jitter);
  const group = (p: number[], lo: boolean) => p.filter((_, d) => (d < 5) === lo).reduce((a, b) => a + b, 0) / 5;
  const half = (p: number[], dims: [number, number], awayIsForget: boolean) => {
    const forgetMae = group(p, true);
    const retainMae = group(p, false);
    return { dims, perDigit: p, forgetMae, retainMae, gapRatio: awayIsForget ? forgetMae / retainMae : retainMae / forgetMae, finalTrainLoss: 0.02 };
  };
  return {
    arm,
    seed,
    finalTrainLoss: 0.03,
    reconstruction: { perDigit: new Array(10).fill(0.06), mae: 0.06, forgetMae: 0.06, retainMae: 0.06 },
    certificates: { a: half(perDigitA, [0, 16], false), b: half(perDigitB, [16, 32], true) },
  };
}

function report(errors: Record<string, [number, number]>) {
  const cells = new Map(Object.entries(errors).map(([arm, [b0, b1]]) => [arm, [0, 1, 2].map((s) => cell(arm, s, b0, b1))]));
  return buildReport({ config, arms, cells, backend: 'wasm', runSeed: 0 });
}

type Statement = { id: string; holds: boolean | null; detail: string };

describe('mnist-split report', () => {
  it('states the paper\'s claims as measured, and passes acceptance when routed splits and control does not', () => {
    const { json, markdown } = report({
      routed: [0.15, 0.06],
      control: [0.07, 0.07],
      'no-reg': [0.1, 0.09],
      'routed-frac-0.5': [0.12, 0.07],
      'routed-frac-0.1': [0.08, 0.07],
    });
    const statements = Object.fromEntries((json.statements as Statement[]).map((s) => [s.id, s]));
    expect(statements['routed-split-b']!.holds).toBe(true);
    expect(statements['routed-split-a']!.holds).toBe(true);
    expect(statements['control-no-split']!.holds).toBe(true);
    expect(statements['no-reg']!.holds).toBe(true);
    expect(statements['oversight-0.5']!.holds).toBe(false);
    expect(statements['oversight-trend']!.holds).toBe(true);
    expect(json.acceptance).toEqual({ routedSplit: true, controlNoSplit: true, passed: true });
    const routed = (json.arms as Record<string, { certificateB: { gapRatio: { mean: number; n: number } }; perDigit: { certificateB: number[] } }>).routed!;
    expect(routed.certificateB.gapRatio.mean).toBeCloseTo(0.15 / 0.06, 2);
    expect(routed.certificateB.gapRatio.n).toBe(3);
    expect(routed.perDigit.certificateB).toHaveLength(10);
    // The runs table's headline numbers, as the report names them.
    expect(json.keyMetrics).toEqual({ 'routed: ratio b': routed.certificateB.gapRatio, 'control: ratio b': expect.anything(), 'no-reg: ratio b': expect.anything(), 'routed-frac-0.5: ratio b': expect.anything(), 'routed-frac-0.1: ratio b': expect.anything(), acceptance: true });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json); // plain JSON: no NaN, no undefined
    expect(markdown).toContain('| routed | 0.150');
    expect(markdown).toContain('Acceptance (routed splits, control does not): passed.');
    expect(markdown).toContain('| gradient routing (routed) | 0.32 | 0.08 | 4.00 |');
    expect(markdown).toContain('### routed');
  });

  it('says plainly when an expected effect does not appear', () => {
    const { json, markdown } = report({ routed: [0.08, 0.07], control: [0.1, 0.06], 'no-reg': [0.08, 0.07], 'routed-frac-0.5': [0.08, 0.07], 'routed-frac-0.1': [0.08, 0.07] });
    const statements = Object.fromEntries((json.statements as Statement[]).map((s) => [s.id, s]));
    expect(statements['routed-split-b']!.holds).toBe(false);
    expect(statements['control-no-split']!.holds).toBe(false);
    expect((json.acceptance as { passed: boolean }).passed).toBe(false);
    expect(markdown).toMatch(/\*\*DOES NOT HOLD\*\*: routed: certificate b reconstructs 0-4/);
    expect(markdown).toContain('**NOT passed**');
  });

  it('marks claims whose arms were not run as not tested', () => {
    const onlyRouted = config.arms.filter((a) => a.name === 'routed').map((a) => resolveArm(config, a));
    const cells = new Map([['routed', [0, 1].map((s) => cell('routed', s, 0.15, 0.06))]]);
    const { json, markdown } = buildReport({ config, arms: onlyRouted, cells, backend: 'cpu', runSeed: 3 });
    const statements = Object.fromEntries((json.statements as Statement[]).map((s) => [s.id, s]));
    expect(statements['control-no-split']!.holds).toBeNull();
    expect(statements['no-reg']!.holds).toBeNull();
    expect(markdown).toContain('**NOT TESTED**');
  });
});

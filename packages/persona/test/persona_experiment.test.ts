// End to end: the persona experiment on a tiny config through an in-memory RunContext. Checks that every
// report field is there, that paired differences are computed from the cells, and that a run stopped
// several times (mid-prior, mid-fine-tune, mid-relearning) and resumed gives exactly the report of an
// uninterrupted run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StopRequested, pairedDifference, tf, useBackend } from '@routelab/core';
import type { ExperimentReport, ProgressUpdate } from '@routelab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPersonaReport, cellResultName, personaConfigOver, personaExperiment, type PersonaCellResult, type PersonaReportJson } from '../src/index.ts';
import { createFakeContext, createStore, type FakeStore } from '@routelab/core/testing';

const TINY = personaConfigOver('smoke', {
  model: { dModel: 16, nHeads: 2, dMlp: 32 },
  stage1Examples: 200,
  stage1Steps: 16,
  stage1Batch: 16,
  stage2Examples: 64,
  stage2Steps: 10,
  stage2Batch: 16,
  warmupSteps: 2,
  arms: ['none', 'era', 'ip-specific', 'none-early-stop'],
  seeds: 2,
  evalPerFamily: 2,
  lossExamples: 8,
  relearnCounts: [1, 4],
  relearnSteps: 4,
  relearnEvery: 2,
  relearnEvalPerFamily: 1,
  armDefinitions: { era: { schemeConfig: { expand: { units: 4 } } }, 'none-early-stop': { earlyStopping: { every: 4, perFamily: 2 } } },
  checkpointEvery: 4,
  logEvery: 5,
});

const cacheDirs: string[] = [];
function freshCache(): void {
  const dir = mkdtempSync(join(tmpdir(), 'persona-cache-'));
  cacheDirs.push(dir);
  process.env['ROUTELAB_CACHE_DIR'] = dir;
}

let reference: ExperimentReport;
let referenceStore: FakeStore;

beforeAll(async () => {
  await useBackend('wasm');
  freshCache();
  const ctx = createFakeContext({ backend: 'wasm' });
  reference = await personaExperiment.run(TINY, ctx);
  referenceStore = ctx.store;
}, 60_000);

afterAll(() => {
  delete process.env['ROUTELAB_CACHE_DIR'];
  for (const dir of cacheDirs) rmSync(dir, { recursive: true, force: true });
});

const cellsOf = (store: FakeStore) => [...store.results.values()].map((v) => JSON.parse(v) as PersonaCellResult);

describe('persona experiment (tiny config)', () => {
  it('saves one result per (arm, seed) with evaluations, losses, relearning and the prior', () => {
    const names = [...referenceStore.results.keys()].sort();
    expect(names).toEqual([
      'cells/era/seed-0', 'cells/era/seed-1', 'cells/ip-specific/seed-0', 'cells/ip-specific/seed-1',
      'cells/none-early-stop/seed-0', 'cells/none-early-stop/seed-1', 'cells/none/seed-0', 'cells/none/seed-1',
    ]);
    // The early-stopping baseline deploys its best validated step (validated every 4 steps and at the last).
    for (const seed of [0, 1]) {
      const early = JSON.parse(referenceStore.results.get(cellResultName('none-early-stop', seed))!) as PersonaCellResult;
      expect([4, 8, 10]).toContain(early.stage2.earlyStopping!.step);
      expect(early.stage2.earlyStopping!.score).toEqual(expect.any(Number));
    }
    for (const cell of cellsOf(referenceStore)) {
      for (const cond of ['neutral', 'inoculation', 'irrelevant', 'negated'] as const) {
        for (const key of ['G', 'U', 'W', 'capability', 'n']) expect(cell.eval[cond]).toHaveProperty(key);
      }
      expect(Number.isFinite(cell.retainLoss) && Number.isFinite(cell.forgetLoss)).toBe(true);
      expect(cell.relearning.attacks.map((a) => a.n)).toEqual([1, 4]);
      for (const a of cell.relearning.attacks) expect(a.curve[0]!.step).toBe(0);
      expect(cell.prior.quality.specific.n).toBeGreaterThan(0);
      expect(cell.beforeAblation !== undefined).toBe(cell.arm === 'era');
      expect(cell.stage2.steps).toBe(10);
    }
    const era = JSON.parse(referenceStore.results.get(cellResultName('era', 0))!) as PersonaCellResult;
    expect(era).toMatchObject({ scheme: 'era', data: 'none', inoculationPrompt: 'specific' });
    expect(era.gradientLeak!.region).toEqual(['blocks.*.mlp.*_expanded']);
    expect(era.gradientLeak!.forgetShareOutside).toBeGreaterThanOrEqual(0);
    expect(era.gradientLeak!.forgetShareOutside).toBeLessThanOrEqual(1);
  });

  it('reports per-arm intervals, paired differences from none, checks and a summary', () => {
    const json = reference.json as unknown as PersonaReportJson;
    expect(json.arms).toEqual(['none', 'era', 'ip-specific', 'none-early-stop']);
    expect(Object.keys(json.prior.quality)).toContain('persona');
    const era = json.results.era!;
    expect(era.seeds).toEqual([0, 1]);
    expect(era.conditions.neutral.U).toMatchObject({ n: 2 });
    expect(era.beforeAblation!.conditions.neutral.U!.n).toBe(2);
    expect(era.relearning.attacks.map((a) => a.n)).toEqual([1, 4]);
    expect(json.results.none!.beforeAblation).toBeUndefined();
    // The paired difference is the one of the cells, seed by seed.
    const cells = cellsOf(referenceStore);
    const neutralU = (arm: string) => [0, 1].map((s) => cells.find((c) => c.arm === arm && c.seed === s)!.eval.neutral.U);
    const expected = pairedDifference(neutralU('ip-specific'), neutralU('none'));
    expect(json.pairedVsNone['ip-specific']!.conditions.neutral.U!.mean).toBeCloseTo(expected.mean, 12);
    expect(json.pairedVsNone['ip-specific']!.conditions.neutral.U!.significant).toBe(expected.significant);
    expect(json.pairedVsNone.none).toBeUndefined();
    const ids = (json.checks as { id: string; holds: boolean | null }[]).map((c) => c.id);
    expect(ids).toEqual(['prior-elicits-traits', 'ip-specific-suppresses-U', 'conditionalization', 'routing-era']);
    expect(json.checks[2]!.holds).toBeNull(); // control-irrelevant was not run
    expect(json.instrument.map((c) => c.id)).toEqual(['prior-capability', 'baseline-learns', 'g-emerges']);
    // The elicitation pre-screen of the priors, per prompt and per arm's training prompt.
    expect(json.elicitation!.seeds).toEqual([0, 1]);
    expect(json.elicitation!.prompts.map((p) => p.id)).toContain('specific');
    expect(json.elicitation!.prompts.find((p) => p.id === 'neutral')!.upliftU!.mean).toBe(0);
    expect(json.elicitation!.arms['ip-specific']!.prompt).toBe('specific');
    expect(reference.markdown).toContain('## Elicitation pre-screen');
    expect(json.questions).toHaveLength(6);
    expect(json.questions.find((q) => q.id === 'q2-conditionalization')!.answer).toMatch(/not answerable here: arm control-irrelevant not in the results/);
    expect(json.summary).toMatch(/era vs none \(2 seeds, neutral prompt\)/);
    expect(reference.markdown).toContain('## Paired difference from none');
    expect(reference.markdown).toContain('## Routing arms before and after ablation');
  });

  it('builds the same report from the stored cells alone (how compare merges runs)', () => {
    expect(buildPersonaReport(cellsOf(referenceStore), TINY)).toEqual(reference);
    // Cells gathered from single-cell runs, in any order.
    expect(buildPersonaReport(cellsOf(referenceStore).reverse(), TINY).json).toEqual(reference.json);
  });

  it('collects cells run as separate runs (one per arm and seed) into the same report', () => {
    const runs = [...referenceStore.results].map(([name, text]) => {
      const result = JSON.parse(text) as PersonaCellResult;
      const config = { ...TINY, arms: [result.arm], seeds: 1, firstSeed: result.seed };
      return { id: `arm=${result.arm},seed=${result.seed}`, config, status: 'finished' as const, results: { [name]: result } };
    });
    // A cell that two runs both hold counts once.
    const merged = personaExperiment.collect!([...runs, runs[0]!]);
    expect(merged).toEqual(reference);
  });

  it('gives exactly the same report after stops mid-prior, mid-fine-tune and mid-relearning', async () => {
    freshCache();
    const store = createStore();
    const stops: ((u: ProgressUpdate) => boolean)[] = [
      (u) => u.phase === 'prior/seed-0' && u.done === 7,
      (u) => u.phase === 'era/seed-0' && u.done === 6,
      // The first relearning step after that (an attack stops early once U reaches the threshold, so which cell's
      // attack takes a step depends on the model).
      (u) => /relearning n=\d+$/.test(u.phase) && u.done === 1,
    ];
    let report: ExperimentReport | undefined;
    let stopped = 0;
    for (let attempt = 0; attempt < 5 && !report; attempt++) {
      const stopAt = stops[attempt];
      const ctx = createFakeContext({ backend: 'wasm', store, ...(stopAt ? { stopWhen: (updates) => updates.length > 0 && stopAt(updates.at(-1)!) } : {}) });
      try {
        report = await personaExperiment.run(TINY, ctx);
      } catch (err) {
        if (!(err instanceof StopRequested)) throw err;
        stopped++;
      }
    }
    expect(stopped).toBe(3);
    expect(store.checkpoints.has('priors/seed-0')).toBe(true);
    // The cell stopped mid-relearning restarted its evaluation from its trained model.
    expect([...store.checkpoints.values()].some((c) => JSON.parse(c.state).phase === 'trained')).toBe(true);
    expect(JSON.stringify(report!.json)).toBe(JSON.stringify(reference.json));
    expect(report!.markdown).toBe(reference.markdown);
    expect(tf.memory().numTensors).toBeLessThan(50);
  }, 60_000);
});

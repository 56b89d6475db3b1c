// `routelab run mnist-split`: the split autoencoder of the gradient routing paper on real digits, over
// arms (routed, control, no regularisers, partial oversight) x seeds. Each (arm, seed) cell is saved as a
// result when it finishes and skipped on resume; an interrupted cell resumes from its checkpoint.
import { seedRng } from '@routelab/core';
import type { Experiment, ExperimentReport, RunContext } from '@routelab/core';
import { CellRunner, cellName } from './cell.ts';
import type { CellResult, ViewerReconstructions } from './cell.ts';
import { MNIST_SPLIT_PRESETS, mnistSplitConfigSchema, resolveArm } from './mnist_split_config.ts';
import type { MnistSplitConfig } from './mnist_split_config.ts';
import { loadMnist } from './mnist_data.ts';
import { buildReport } from './mnist_split_report.ts';

/** Result names: `cells/<arm>/seed-<i>` per cell, `reconstructions/<arm>` for the viewer (seed 0). */
export const cellResultName = (arm: string, seedIndex: number) => `cells/${cellName(arm, seedIndex)}`;
export const reconstructionsResultName = (arm: string) => `reconstructions/${arm}`;

/** Seed i's rng (core's seedRng): the same in every arm, so arms differ only in what they name, not in their draws. */
export { seedRng };

/**
 * Trains and evaluates one cell (resuming from its checkpoint in `ctx` if there is one) without saving its
 * result: runMnistSplit does that, and scripts that spread cells over processes call this directly.
 */
export async function runMnistSplitCell(
  config: MnistSplitConfig,
  armName: string,
  seedIndex: number,
  ctx: RunContext,
): Promise<{ result: CellResult; viewer?: ViewerReconstructions }> {
  const spec = config.arms.find((a) => a.name === armName);
  if (!spec) throw new Error(`no arm "${armName}"; arms: ${config.arms.map((a) => a.name).join(', ')}`);
  const data = await loadMnist();
  const arm = resolveArm(config, spec);
  return new CellRunner({ config, arm, seedIndex, rng: seedRng(ctx.seed, seedIndex), data, ctx }).run();
}

async function checkBatchSizes(config: MnistSplitConfig): Promise<void> {
  const data = await loadMnist();
  for (const [field, size] of [['batchSize', config.batchSize], ['certBatchSize', config.certBatchSize]] as const) {
    if (size > data.train.size) throw new RangeError(`config.${field} (${size}) exceeds the ${data.train.size} training digits`);
  }
}

/** Trains one cell and saves its results: the viewer's reconstructions first, so a saved result means all is saved. */
async function runAndSaveCell(config: MnistSplitConfig, armName: string, seedIndex: number, ctx: RunContext): Promise<CellResult> {
  const { result, viewer } = await runMnistSplitCell(config, armName, seedIndex, ctx);
  if (viewer) await ctx.saveResult(reconstructionsResultName(armName), viewer);
  await ctx.saveResult(cellResultName(armName, seedIndex), result);
  return result;
}

/** Parts (for parallel runners) are cells, named like their results: `<arm>/seed-<i>`. */
const PART_NAME = /^(.+)\/seed-(\d+)$/;

async function pendingCells(config: MnistSplitConfig, ctx: RunContext): Promise<string[]> {
  await checkBatchSizes(config);
  const pending: string[] = [];
  for (const arm of config.arms) {
    for (let seedIndex = 0; seedIndex < config.seeds; seedIndex++) {
      if (!(await ctx.loadResult(cellResultName(arm.name, seedIndex)))) pending.push(cellName(arm.name, seedIndex));
    }
  }
  return pending;
}

async function runCellPart(config: MnistSplitConfig, part: string, ctx: RunContext): Promise<void> {
  const match = PART_NAME.exec(part);
  if (!match) throw new Error(`mnist-split: "${part}" is not a cell name (<arm>/seed-<i>)`);
  await runAndSaveCell(config, match[1]!, Number(match[2]), ctx);
}

export async function runMnistSplit(config: MnistSplitConfig, ctx: RunContext): Promise<ExperimentReport> {
  await checkBatchSizes(config);
  const arms = config.arms.map((arm) => resolveArm(config, arm));
  const cells = new Map<string, CellResult[]>();
  for (const arm of arms) {
    const results: CellResult[] = [];
    for (let seedIndex = 0; seedIndex < config.seeds; seedIndex++) {
      const saved = await ctx.loadResult<CellResult>(cellResultName(arm.name, seedIndex));
      if (saved) {
        results.push(saved);
        continue;
      }
      const result = await runAndSaveCell(config, arm.name, seedIndex, ctx);
      // The stored form (JSON) is what a resumed run reads back, so use it here too: the report is then the
      // same whether a cell was computed in this process or loaded.
      results.push(JSON.parse(JSON.stringify(result)) as CellResult);
    }
    cells.set(arm.name, results);
  }
  return buildReport({ config, arms, cells, backend: ctx.backend, runSeed: ctx.seed });
}

export const mnistSplitExperiment: Experiment<MnistSplitConfig> = {
  id: 'mnist-split',
  description:
    'split autoencoder on real MNIST digits (gradient routing paper, Table 2): activation routing of digits 0-4 and 5-9 ' +
    'into the two halves of the code, certificates on each half, control / no-regulariser / partial-oversight arms',
  configSchema: mnistSplitConfigSchema,
  presets: MNIST_SPLIT_PRESETS,
  defaultPreset: 'quick',
  run: runMnistSplit,
  parts: { pending: pendingCells, run: runCellPart },
};

// `routelab run rl`: the seed's persona prior (cached, shared with the persona experiment), then RL under every
// arm. Each (arm, seed) cell is saved as a result when it finishes and skipped on resume; an interrupted cell
// resumes from its checkpoint.
import type { CollectedCell, Experiment, ExperimentReport, RunContext } from '@routelab/core';
import { configSeeds, ensurePrior } from '../experiment/experiment.ts';
import { resolveWorld } from '../experiment/config.ts';
import type { Prior } from '../experiment/prior.ts';
import { runRlCell, rlResultName, type RlCellResult } from './cell.ts';
import { priorConfig, resolveRlArms, RL_PRESETS, rlConfigSchema, type RlConfig } from './config.ts';
import { buildRlReport } from './report.ts';

export async function runRl(config: RlConfig, ctx: RunContext): Promise<ExperimentReport> {
  const persona = priorConfig(config);
  const world = resolveWorld(persona);
  const arms = resolveRlArms(config);
  const results: RlCellResult[] = [];
  for (const seed of configSeeds(config)) {
    let prior: Prior | undefined;
    try {
      for (const arm of arms) {
        const saved = await ctx.loadResult<RlCellResult>(rlResultName(arm.name, seed));
        if (saved) {
          results.push(saved);
          continue;
        }
        prior ??= await ensurePrior(persona, world, seed, ctx);
        const result = await runRlCell({ config, world, arm, seed, prior, ctx });
        await ctx.saveResult(rlResultName(arm.name, seed), result);
        // What a resumed run reads back is the stored JSON: use that form here too, so both reports agree.
        results.push(JSON.parse(JSON.stringify(result)) as RlCellResult);
      }
    } finally {
      prior?.model.dispose();
    }
  }
  return buildRlReport(results, config.arms, config.questions);
}

/**
 * Merges rl cells run separately (`routelab compare --experiment rl`, sweeps: each (arm, seed) its own run)
 * into one rl report: every `cells/...` result of every finished run, arms in the order the runs name them,
 * the question roles of the first run that has them. A cell present in two runs counts once (the first).
 */
export function collectRl(cells: readonly CollectedCell<RlConfig>[]): ExperimentReport {
  const results = new Map<string, RlCellResult>();
  const arms: string[] = [];
  for (const cell of cells) {
    for (const arm of cell.config?.arms ?? []) if (!arms.includes(arm)) arms.push(arm);
    for (const [name, value] of Object.entries(cell.results)) {
      if (!name.startsWith('cells/')) continue;
      const result = value as RlCellResult;
      const key = `${result.arm}/${result.seed}`;
      if (!results.has(key)) results.set(key, result);
    }
  }
  const questions = cells.find((c) => c.config?.questions)?.config?.questions;
  return buildRlReport([...results.values()], arms, ...(questions ? [questions] : []));
}

export const rlExperiment: Experiment<RlConfig> = {
  id: 'rl',
  description:
    'reward hacking under RL on the persona world: group-relative REINFORCE from the persona prior against a hackable grader, ' +
    'with a noisy monitor; arms: none, reward penalty, filtering, on-policy inoculation (specific and general prompts, an ' +
    'irrelevant-prompt control), recontextualization and its same-prompt variant, gradient routing (ERA, ablated at ' +
    'deployment) across monitor recall, routing + inoculation, early stopping; proxy and true reward, hack rates, G and ' +
    'capability per (arm, seed), and the questions they answer (docs/rl.md)',
  configSchema: rlConfigSchema,
  presets: RL_PRESETS,
  defaultPreset: 'quick',
  run: runRl,
  collect: collectRl,
};

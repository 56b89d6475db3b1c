// Merges rl cells run separately (`routelab compare --experiment rl`, `routelab sweep` / `collect` of the rl
// experiment: each (arm, seed) its own run) into the one rl report, built by the rl experiment's own
// buildRlReport from every `cells/...` result of every finished run, arms in the order the runs name them.
// A cell present in two runs counts once (the first).
import type { CollectedCell, ExperimentReport } from '@routelab/core';
import { buildRlReport, type RlCellResult } from '@routelab/persona';

export function collectRl(cells: readonly CollectedCell<unknown>[]): ExperimentReport {
  const results = new Map<string, RlCellResult>();
  const arms: string[] = [];
  for (const cell of cells) {
    const config = cell.config as { arms?: unknown } | undefined;
    for (const arm of Array.isArray(config?.arms) ? config.arms : []) if (typeof arm === 'string' && !arms.includes(arm)) arms.push(arm);
    for (const [name, value] of Object.entries(cell.results)) {
      if (!name.startsWith('cells/')) continue;
      const result = value as RlCellResult;
      const key = `${result.arm}/${result.seed}`;
      if (!results.has(key)) results.set(key, result);
    }
  }
  return buildRlReport([...results.values()], arms);
}

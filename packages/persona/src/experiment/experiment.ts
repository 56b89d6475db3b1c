// `routelab run persona`: stage 1 (the prior, cached) and stage 2 under every arm, for each seed. Each
// (arm, seed) cell is saved as a result when it finishes and skipped on resume; an interrupted cell resumes
// from its checkpoint. One cell can run alone as its own run ({ arms: ['era'], seeds: 1, firstSeed: 2 }), and
// cells gathered from many runs make one report through buildPersonaReport.
import type { CollectedCell, Experiment, ExperimentReport, RunContext } from '@routelab/core';
import type { World } from '../world/world.ts';
import { resolveArms } from './arm_validation.ts';
import { cellResultName } from './arms.ts';
import { runCell, seedRng, type PersonaCellResult } from './cell.ts';
import { PERSONA_PRESETS, personaConfigSchema, resolveModelConfig, resolveWorld, type PersonaConfig } from './config.ts';
import { loadOrTrainPrior, type Prior } from './prior.ts';
import { buildPersonaReport } from './report.ts';

/** The seed indices a config runs. */
export function configSeeds(config: Pick<PersonaConfig, 'seeds' | 'firstSeed'>): number[] {
  return Array.from({ length: config.seeds }, (_, i) => config.firstSeed + i);
}

/** The seed's prior, from the cache or trained (and cached) now; the caller disposes prior.model. */
export function ensurePrior(config: PersonaConfig, world: World, seed: number, ctx: RunContext): Promise<Prior> {
  const modelConfig = resolveModelConfig(config, world.config);
  return loadOrTrainPrior({ config, world, modelConfig, ctx, seed, rng: seedRng(ctx.seed, seed) });
}

export async function runPersona(config: PersonaConfig, ctx: RunContext): Promise<ExperimentReport> {
  const world = resolveWorld(config);
  const results: PersonaCellResult[] = [];
  // Seed-major, so that one prior is in memory at a time.
  for (const seed of configSeeds(config)) {
    let prior: Prior | undefined;
    try {
      for (const arm of resolveArms(config)) {
        const saved = await ctx.loadResult<PersonaCellResult>(cellResultName(arm.name, seed));
        if (saved) {
          results.push(saved);
          continue;
        }
        prior ??= await ensurePrior(config, world, seed, ctx);
        const result = await runCell({ config, world, arm, seed, prior, ctx });
        await ctx.saveResult(cellResultName(arm.name, seed), result);
        // What a resumed run reads back is the stored JSON: use that form here too, so both reports agree.
        results.push(JSON.parse(JSON.stringify(result)) as PersonaCellResult);
        // The prior's time (training or loading) counts once, in the first cell of the seed that needed it.
        prior = { ...prior, trained: false, seconds: 0, cpuSeconds: 0 };
      }
    } finally {
      prior?.model.dispose();
    }
  }
  return buildPersonaReport(results, config);
}

/**
 * Merges cells run separately (`routelab compare`, sweeps: each (arm, seed) its own run) into one report:
 * every `cells/...` result of every finished run, arms in the order the runs name them. A cell present in
 * two runs counts once (the first).
 */
export function collectPersona(cells: readonly CollectedCell<PersonaConfig>[]): ExperimentReport {
  const variants = cellVariants(cells);
  const results = new Map<string, PersonaCellResult>();
  const arms: string[] = [];
  for (const [i, cell] of cells.entries()) {
    const suffix = variants[i]!;
    for (const arm of cell.config?.arms ?? []) if (!arms.includes(arm + suffix)) arms.push(arm + suffix);
    for (const [name, value] of Object.entries(cell.results)) {
      if (!name.startsWith('cells/')) continue;
      const result = { ...(value as PersonaCellResult) };
      result.arm += suffix;
      const key = `${result.arm}/${result.seed}`;
      if (!results.has(key)) results.set(key, result);
    }
  }
  const questions = cells.find((c) => c.config?.questions)?.config?.questions;
  return buildPersonaReport([...results.values()], { arms, ...(questions ? { questions } : {}) });
}

/**
 * Cells are keyed by their full config, not by arm and seed alone: when cells of one arm differ in any
 * setting (a sweep over oversight.labelFraction, say), each setting is its own row, named
 * `arm [path=value, ...]` by the settings that differ. Seeds and the list of arms never split rows.
 */
function cellVariants(cells: readonly CollectedCell<PersonaConfig>[]): string[] {
  const leaves = cells.map((cell) => {
    const config = (cell.config ?? {}) as Record<string, unknown>;
    const arm = (cell.config?.arms ?? [])[0];
    const { arms: _arms, seeds: _seeds, firstSeed: _first, armDefinitions, ...rest } = config;
    // Only this cell's own arm definition matters to it, under a name that does not depend on the arm.
    const own = arm !== undefined ? (armDefinitions as Record<string, unknown> | undefined)?.[arm] : undefined;
    return flatten({ ...rest, arm: own ?? null });
  });
  // Settings that differ between cells of the same arm (different arms always differ in their definition);
  // each arm's rows are named by its own differing settings, so an arm run once keeps its plain name.
  const armOf = cells.map((c) => (c.config?.arms ?? [])[0] ?? '');
  const differingIn = new Map<string, string[]>();
  for (const arm of new Set(armOf)) {
    const group = leaves.filter((_, i) => armOf[i] === arm);
    const paths = new Set(group.flatMap((l) => [...l.keys()]));
    differingIn.set(arm, [...paths].filter((p) => new Set(group.map((l) => l.get(p))).size > 1).sort());
  }
  return leaves.map((l, i) => {
    const differing = differingIn.get(armOf[i]!)!;
    return differing.length === 0 ? '' : ` [${differing.map((p) => `${p.replace(/^arm\./, '')}=${l.get(p) ?? '-'}`).join(', ')}]`;
  });
}

function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, JSON.stringify(value));
  return out;
}

export const personaExperiment: Experiment<PersonaConfig> = {
  id: 'persona',
  description:
    'persona world: a stage-1 prior (cached), then stage-2 fine-tuning on unwanted-trait data under each arm: ' +
    'no intervention, filtering, inoculation prompts and their controls, recontextualization, anti-constitutional, ' +
    'and gradient routing (ERA on the MLP output contribution, parameter routing, ERA + inoculation); trait rates, ' +
    'capability, losses and a relearning attack per (arm, seed), with 95% intervals and paired differences from none',
  configSchema: personaConfigSchema,
  presets: PERSONA_PRESETS,
  defaultPreset: 'quick',
  run: runPersona,
  collect: collectPersona,
};

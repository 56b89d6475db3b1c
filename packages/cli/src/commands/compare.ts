// `routelab compare [--experiment persona|rl] [--preset NAME] [--config FILE] [--plugin FILE]... [--arms a,b,...]
// [--arm ID]... [--seeds N] [--workers N] [--out DIR] [--json]`: every arm x seed of an experiment (persona, the
// default, or rl) as its own run, in parallel workers (default one per core), resumable (a finished cell is not
// run again), merged into one report with a table and a chart. `--config` is deep-merged over the preset
// (world, model, arms and their definitions, seeds, ...), so a researcher's own arm, with a plugin scheme loaded
// by `--plugin`, runs beside the built-in ones through the same cell, evaluation and report. What differs
// between the experiments (the oversight axis, the table and the chart) is in compare/compare_experiments.ts.
import { join, resolve } from 'node:path';
import { selectBackend, writeFileAtomic } from '@routelab/core';
import { loadPlugin } from '@routelab/routing';
import { ArmProgressView } from '../compare/arm_progress.ts';
import { findCompareExperiment } from '../compare/compare_experiments.ts';
import { UsageError } from '../errors.ts';
import { findExperiment } from '../experiments.ts';
import { deepMerge, readConfigFile, resolveConfig } from '../runs/config_resolution.ts';
import { parseFractions } from '../compare/oversight_axis.ts';
import { ExitStatus } from '../runs/errors.ts';
import { toJsonText } from '../runs/json_text.ts';
import { StopController } from '../runs/stop_signals.ts';
import { collectSweep } from '../sweep/collect.ts';
import { runSweepCells } from '../sweep/run_cells.ts';
import { prepareSweep, sweepPaths } from '../sweep/sweep_dir.ts';
import { parseCount } from './run.ts';

export interface CompareOptions {
  experiment?: string;
  preset?: string;
  arms?: string;
  /** Repeatable --arm, added to --arms. */
  arm?: string[];
  seeds?: string;
  workers?: string;
  out?: string;
  backend?: string;
  json?: boolean;
  config?: string;
  plugin?: string[];
  oversight?: string;
  labelNoise?: string;
}

/** The arms to run: --arms and --arm, else the config's; `none` first (every difference is paired with it, and its cells cache the priors). */
function parseArms(list: string | undefined, single: readonly string[], configArms: readonly string[], defined: Record<string, unknown>): string[] {
  const given = [...(list ? list.split(',') : []), ...single].map((a) => a.trim()).filter(Boolean);
  const arms = list !== undefined || single.length > 0 ? given : [...configArms];
  const flag = list !== undefined ? '--arms' : '--arm';
  if (arms.length === 0) throw new UsageError('--arms: give at least one arm');
  const unknown = [...arms, 'none'].filter((a) => !Object.hasOwn(defined, a));
  if (unknown.length) {
    throw new UsageError(`${flag}: unknown arm${unknown.length > 1 ? 's' : ''} ${unknown.map((a) => `"${a}"`).join(', ')}; defined: ${Object.keys(defined).join(', ')}`);
  }
  return ['none', ...new Set(arms.filter((a) => a !== 'none'))];
}

export async function compareCommand(options: CompareOptions): Promise<void> {
  const experimentId = options.experiment ?? 'persona';
  const kind = findCompareExperiment(experimentId);
  const experiment = findExperiment(experimentId);
  const preset = options.preset ?? experiment.defaultPreset;
  if (!Object.hasOwn(experiment.presets, preset)) {
    throw new UsageError(`--preset: unknown preset "${preset}"; known: ${Object.keys(experiment.presets).join(', ')}`);
  }
  // Plugins first: the config may name their schemes. Their absolute paths go with every cell (and its manifest).
  const plugins = (options.plugin ?? []).map((p) => resolve(p));
  for (const plugin of plugins) await loadPlugin(plugin).catch((err: Error) => { throw new UsageError(`--plugin: ${err.message}`); });
  const fractions = parseFractions('--oversight', options.oversight);
  const noises = parseFractions('--label-noise', options.labelNoise);
  let fileConfig = options.config !== undefined ? await readConfigFile(options.config) : {};
  // Checked whole (every arm's scheme and scheme config) before any directory is made.
  const resolved = await resolveConfig(experiment, { preset, ...(options.config !== undefined ? { configFile: options.config } : {}) });
  const base = resolved.config as { arms: string[]; seeds: number; armDefinitions: Record<string, unknown> };
  const chosen = parseArms(options.arms, options.arm ?? [], base.arms, base.armDefinitions);
  const axis = kind.axis(chosen, resolved.config as Record<string, unknown>, { ...(fractions ? { oversight: fractions } : {}), ...(noises ? { labelNoise: noises } : {}) });
  const arms = axis.arms;
  if (Object.keys(axis.armDefinitions).length > 0) {
    fileConfig = deepMerge(fileConfig, { armDefinitions: axis.armDefinitions }) as Record<string, unknown>;
  }
  const seeds = parseCount('--seeds', options.seeds, { min: 1 }) ?? base.seeds;
  const workers = parseCount('--workers', options.workers, { min: 1 });
  // persona keeps its directory name; other experiments' default directories carry their id.
  const dir = options.out ?? join('runs', experimentId === 'persona' ? `compare-${preset}` : `compare-${experimentId}-${preset}`);
  const out = options.json ? process.stderr : process.stdout;
  // Resolve `auto` once here rather than in every cell (each would measure every backend again).
  const backend = await selectBackend(options.backend ?? 'auto');
  out.write(`backend: ${backend.chosen} (${backend.reason})\n`);
  const spec = {
    experiment: experimentId,
    preset,
    config: fileConfig,
    grid: { arm: arms, seed: Array.from({ length: seeds }, (_, i) => i) },
    backend: backend.chosen,
  };
  const sweep = await prepareSweep(dir, spec, experiment, { allowChangedSpec: true });
  out.write(`routelab compare${experimentId === 'persona' ? '' : ` --experiment ${experimentId}`}: ${arms.length} arms x ${seeds} seed${seeds === 1 ? '' : 's'} (${preset}) in ${dir}\n`);
  const armOf = (id: string) => /^arm=([^,]*)/.exec(id)?.[1] ?? id;
  const view = new ArmProgressView(arms, seeds, out, armOf);
  const stop = new StopController({
    handleSignals: true,
    onFirstSignal: () => out.write('\nstopping: running cells save a checkpoint; run the same command again to resume\n'),
    onSecondSignal: (signal) => process.exit(signal === 'SIGINT' ? 130 : 143),
  });
  let stopped = false;
  try {
    // `none` first, on its own: its cells train and cache each seed's stage-1 prior, which every other arm
    // of that seed then reuses instead of training it again in parallel.
    const phases = [sweep.cells.filter((c) => armOf(c.id) === 'none'), sweep.cells.filter((c) => armOf(c.id) !== 'none')];
    for (const cells of phases) {
      if (stopped || cells.length === 0) continue;
      const { skipped, outcomes } = await runSweepCells({ ...sweep, cells }, {
        plugins,
        ...(workers ? { workers } : {}),
        onProgress: (id, u) => view.progress(id, u),
        // A cell whose run failed comes back from its worker as a finished task carrying the run's status.
        onOutcome: (id, o) =>
          o.status === 'finished' ? view.cellDone(id, o.result.status, o.result.error) : view.cellDone(id, o.status, o.status === 'failed' ? o.error : undefined),
        stopRequested: () => stop.requested(),
      });
      for (const id of skipped) view.cellDone(id, 'finished');
      stopped = outcomes.some((o) => o.status === 'stopped');
    }
  } finally {
    view.stop();
    stop.dispose();
  }
  const merged = await collectSweep(sweep, experiment);
  const paths = sweepPaths(sweep.dir);
  const { table, chart } = await kind.present(merged.json, sweep.dir);
  const chartNote = !chart ? '' : 'alt' in chart ? `![${chart.alt}](chart.png)\n\n` : `(chart not drawn: ${chart.error})\n\n`;
  const title = `routelab compare${experimentId === 'persona' ? '' : ` --experiment ${experimentId}`}`;
  const markdown = `# ${title} (${preset}, ${seeds} seed${seeds === 1 ? '' : 's'})\n\n${table}\n\n${chartNote}${merged.markdown}`;
  await writeFileAtomic(paths.reportMarkdown, new TextEncoder().encode(markdown));
  await writeFileAtomic(paths.reportJson, new TextEncoder().encode(toJsonText({ ...merged.json, table: table || null })));
  if (options.json) process.stdout.write(`${toJsonText({ ...merged.json })}\n`);
  else out.write(`\n${table || merged.markdown}\n\nReport: ${paths.reportMarkdown}${chart && 'alt' in chart ? `, chart: ${join(sweep.dir, 'chart.png')}` : ''}\n`);
  // main() turns the returned status into the exit code (process.exitCode set here would be overwritten).
  if (stopped) throw new ExitStatus(130);
  // Every cell was attempted: one that did not finish failed (its error is in report.md's Cells). Exit 1, as a
  // failed run does; running the same command again retries only those cells.
  const problems = (merged.json['sweep'] as { problems?: { id: string; error?: string }[] } | undefined)?.problems ?? [];
  if (problems.length > 0) {
    out.write(`\n${problems.length} of ${sweep.cells.length} cells failed (first: ${problems[0]!.id}: ${problems[0]!.error ?? 'no error recorded'}); run the same command again to retry them\n`);
    throw new ExitStatus(1);
  }
}

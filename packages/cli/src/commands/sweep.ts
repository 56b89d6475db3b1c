// `routelab sweep <spec.json> [--out DIR] [--workers N] [--emit slurm]` and `routelab collect <dir>`.
import { basename, extname, join } from 'node:path';
import { findExperiment } from '../experiments.ts';
import { UsageError } from '../errors.ts';
import { collectSweep } from '../sweep/collect.ts';
import { runSweepCells } from '../sweep/run_cells.ts';
import { emitSlurmScript } from '../sweep/slurm.ts';
import { prepareSweep, readSweep } from '../sweep/sweep_dir.ts';
import { readSweepSpec } from '../sweep/sweep_spec.ts';
import { parseCount } from './run.ts';
import { loadPlugin } from '@routelab/routing';
import { StopController } from '../runs/stop_signals.ts';
import { createProgressReporter } from '../runs/progress_reporter.ts';

export interface SweepCommandOptions {
  out?: string;
  workers?: string;
  emit?: string;
  plugin?: string[];
}

export async function sweepCommand(specFile: string, options: SweepCommandOptions): Promise<void> {
  if (options.emit !== undefined && options.emit !== 'slurm') throw new UsageError(`--emit: unknown target "${options.emit}"; known: slurm`);
  const workers = parseCount('--workers', options.workers, { min: 1 });
  for (const plugin of options.plugin ?? []) await loadPlugin(plugin).catch((err: Error) => { throw new UsageError(`--plugin: ${err.message}`); });
  const spec = await readSweepSpec(specFile);
  const experiment = findExperiment(spec.experiment);
  const dir = options.out ?? join('runs', `sweep-${basename(specFile, extname(specFile))}`);
  const sweep = await prepareSweep(dir, spec, experiment);
  if (options.emit === 'slurm') {
    const script = await emitSlurmScript(sweep, { ...(options.plugin ? { plugins: options.plugin } : {}) });
    process.stdout.write(`${sweep.cells.length} cells. Submit with: sbatch ${script}\nthen merge with: routelab collect ${dir}\n`);
    return;
  }
  const progress = createProgressReporter(process.stdout);
  const stop = new StopController({
    handleSignals: true,
    onFirstSignal: () => progress.message('stopping: each running cell saves a checkpoint; run the same command again to resume'),
    onSecondSignal: (signal) => process.exit(signal === 'SIGINT' ? 130 : 143),
  });
  try {
    const { skipped, outcomes } = await runSweepCells(sweep, {
      ...(workers ? { workers } : {}),
      ...(options.plugin ? { plugins: options.plugin } : {}),
      onProgress: (id, u) => progress.update({ ...u, phase: `${id} ${u.phase}` }),
      onOutcome: (id, o) => progress.message(`cell ${id}: ${o.status}${o.status === 'failed' ? ` (${o.error})` : ''}`),
      stopRequested: () => stop.requested(),
    });
    progress.stop();
    if (skipped.length) process.stdout.write(`${skipped.length} finished cells reused\n`);
    const report = await collectSweep(sweep, experiment);
    process.stdout.write(`\n${report.markdown}`);
    if (outcomes.some((o) => o.status === 'stopped')) process.exitCode = 130;
  } finally {
    stop.dispose();
  }
}

export async function collectCommand(dir: string): Promise<void> {
  const sweep = await readSweep(dir);
  const report = await collectSweep(sweep, findExperiment(sweep.spec.experiment));
  process.stdout.write(report.markdown);
}

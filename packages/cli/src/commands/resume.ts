// `routelab resume <run-dir> [--json] [--force] [--workers N]`: continue an interrupted, failed or crashed
// run where its checkpoints left it, on the backend it ran on. A run that already finished is left alone:
// exit 0, and with --json its report.json is printed, so resuming is safe to repeat.
import { EXPERIMENTS, type ExperimentTable } from '../experiments.ts';
import { resumeRun } from '../runs/index.ts';
import { finishCommand, parseCount } from './run.ts';

export interface ResumeCommandOptions {
  json?: boolean;
  force?: boolean;
  workers?: string;
}

export async function resumeCommand(runDir: string, options: ResumeCommandOptions, table: ExperimentTable = EXPERIMENTS): Promise<void> {
  const workers = parseCount('--workers', options.workers, { min: 1 });
  const outcome = await resumeRun(runDir, {
    experiments: table,
    ...(workers !== undefined ? { workers } : {}),
    ...(options.force ? { force: true } : {}),
    log: options.json ? process.stderr : process.stdout,
  });
  await finishCommand(outcome, options.json ?? false);
}

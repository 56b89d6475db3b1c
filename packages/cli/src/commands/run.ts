// `routelab run <experiment> [--preset NAME] [--config file.json] [--seeds N] [--seed N] [--backend NAME]
// [--out DIR] [--json] [--workers N]`: one experiment into a new run directory (see runs/runner.ts for
// what it holds).
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.ts';
import { EXPERIMENTS, findExperiment, type ExperimentTable } from '../experiments.ts';
import { ExitStatus, displayPath, runExperiment, runPaths, type RunOutcome } from '../runs/index.ts';

export interface RunCommandOptions {
  preset?: string;
  config?: string;
  seeds?: string;
  seed?: string;
  backend?: string;
  out?: string;
  json?: boolean;
  plugin?: string[];
  arm?: string[];
  workers?: string;
}

export function parseCount(flag: string, text: string | undefined, options: { min: number }): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\s*-?\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < options.min) {
    throw new UsageError(`${flag}: "${text}" is not ${options.min > 0 ? 'a positive' : 'a non-negative'} integer`);
  }
  return n;
}

export async function runCommand(experimentId: string, options: RunCommandOptions, table: ExperimentTable = EXPERIMENTS): Promise<void> {
  const experiment = findExperiment(experimentId, table);
  const seeds = parseCount('--seeds', options.seeds, { min: 1 });
  const seed = parseCount('--seed', options.seed, { min: 0 });
  const workers = parseCount('--workers', options.workers, { min: 1 });
  // --arm X (repeatable): the experiment's `arms` setting, with the `none` control first so that every
  // difference can be paired with it (experiments whose arms are objects take a --config file instead).
  const arms = options.arm?.length ? ['none', ...new Set(options.arm.filter((a) => a !== 'none'))] : undefined;
  const outcome = await runExperiment(experiment, {
    ...(options.preset !== undefined ? { preset: options.preset } : {}),
    ...(options.config !== undefined ? { configFile: options.config } : {}),
    ...(seeds !== undefined ? { seeds } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(options.backend !== undefined ? { backend: options.backend } : {}),
    ...(options.out !== undefined ? { out: options.out } : {}),
    ...(workers !== undefined ? { workers } : {}),
    plugins: options.plugin ?? [],
    ...(arms ? { overrides: { arms } } : {}),
    log: options.json ? process.stderr : process.stdout,
  });
  await finishCommand(outcome, options.json ?? false);
}

/** Prints the outcome (report.json on stdout with --json) and turns it into the exit status. */
export async function finishCommand(outcome: RunOutcome, json: boolean): Promise<void> {
  const paths = runPaths(outcome.runDir);
  if (outcome.status === 'finished') {
    if (json) process.stdout.write(await readFile(paths.reportJson, 'utf8'));
    else if (outcome.report && !outcome.alreadyFinished) process.stdout.write(`\n${outcome.report.markdown.trimEnd()}\n`);
    return;
  }
  if (outcome.status === 'failed') {
    process.stderr.write(
      `routelab: run failed: ${outcome.error}\n` +
        `  run directory: ${displayPath(outcome.runDir)} (manifest status failed; everything written so far is kept)\n` +
        `  after fixing the cause, continue it with: routelab resume ${displayPath(outcome.runDir)}\n`,
    );
    if (process.env.ROUTELAB_DEBUG && outcome.cause instanceof Error) process.stderr.write(`${outcome.cause.stack}\n`);
  }
  throw new ExitStatus(outcome.exitCode);
}

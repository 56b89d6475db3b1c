// Runs an experiment into a run directory, or resumes one. Library functions: the `run` and `resume`
// commands call them, and so can tests and other tools with experiments of their own.
//
// Everything that can be checked is checked before anything is written: the config (preset + file + flags,
// through the schema), the output directory, the backend; on resume also the manifest, the config file and
// every checkpoint's checksum. After that the run directory records the run as it goes, and ends with
// manifest status finished, interrupted (Ctrl-C / SIGTERM; resumable) or failed (the experiment threw).
import { mkdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isAbsolute, relative, resolve } from 'node:path';
import { StopRequested, UnknownBackendError, selectBackend, writeFileAtomic } from '@routelab/core';
import { loadPlugin } from '@routelab/routing';
import type { BackendSelection, Experiment, ExperimentReport, ProgressUpdate, RunContext } from '@routelab/core';
import { UsageError } from '../errors.ts';
import { EXPERIMENTS, knownExperiments, type ExperimentTable } from '../experiments.ts';
import { formatConfigIssues, resolveConfig, type ConfigRequest } from './config_resolution.ts';
import { createDirectoryContext, verifyCheckpoints } from './directory_context.ts';
import { RunFileError, errorCode, messageOf } from './errors.ts';
import { isPlainObject, parseJsonText, toJsonText } from './json_text.ts';
import { MetricsLog } from './metrics_log.ts';
import { createProgressReporter, type LogStream, type ProgressReporter } from './progress_reporter.ts';
import { checkIsRunDir, checkNewRunDir, defaultRunDir, readJsonFile, readRunManifest, runPaths } from './run_directory.ts';
import type { RunPaths } from './run_directory.ts';
import { ManifestStore, describeEnvironment, type RunManifest, type RunStatus } from './run_manifest.ts';
import { SIGNAL_EXIT_CODES, StopController } from './stop_signals.ts';
import { runPartsOnPool } from '../parts/run_parts.ts';
import { defaultWorkerCount } from '../pool/worker_pool.ts';

export interface RunControlOptions {
  /** Messages and progress (default process.stdout). A TTY gets a progress bar, anything else plain lines. */
  log?: LogStream;
  /** Handle SIGINT / SIGTERM (default true). Listeners are removed when the run returns. */
  handleSignals?: boolean;
  /** Aborting it asks the experiment to stop, like a first Ctrl-C. */
  abortSignal?: AbortSignal;
  /** Receives progress instead of the bar or lines on `log` (a worker forwards it to the main thread). */
  onProgress?: (update: ProgressUpdate) => void;
  /**
   * Worker threads for an experiment's independent parts (Experiment.parts), e.g. MNIST's arm x seed cells.
   * Default: one per core; 1 runs everything in this thread. The report is the same either way.
   */
  workers?: number;
}

export interface RunOptions extends ConfigRequest, RunControlOptions {
  /** A backend name or 'auto' (default): auto measures the available backends and picks the fastest. */
  backend?: string;
  /** The run directory; must not exist or be empty. Default: <runsRoot>/<experiment>-<preset>-<yyyymmdd-hhmmss>. */
  out?: string;
  /** Where default run directories go (default 'runs', relative to the working directory). */
  runsRoot?: string;
  /** Plugin modules (routing schemes) to load before the config is validated; recorded for resume. */
  plugins?: string[];
}

export interface ResumeOptions extends RunControlOptions {
  /** Where to look up the manifest's experiment id (default: the cli's EXPERIMENTS table). */
  experiments?: ExperimentTable;
  /** Resume a run whose manifest says running although its process cannot be seen (e.g. another host). */
  force?: boolean;
}

export interface RunOutcome {
  /** Absolute path of the run directory. */
  runDir: string;
  status: Exclude<RunStatus, 'running'>;
  /** 0 finished, 1 failed, 130 stopped by SIGINT (or an abort), 143 stopped by SIGTERM. */
  exitCode: number;
  /** When finished. */
  report?: ExperimentReport;
  /** When failed: the experiment's error message, and the error itself. */
  error?: string;
  cause?: unknown;
  /** resumeRun of a run that had already finished: nothing was run or written. */
  alreadyFinished?: boolean;
}

const now = () => new Date().toISOString();
const encode = (text: string) => new TextEncoder().encode(text);

/** The path as the user should type it: relative to the working directory when inside it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

async function chooseBackend(choice: string): Promise<BackendSelection> {
  try {
    return await selectBackend(choice);
  } catch (err) {
    if (err instanceof UnknownBackendError) throw new UsageError(`--backend: ${err.message}`);
    throw new Error(`backend "${choice}": ${messageOf(err)}`, { cause: err });
  }
}

/** Loads plugin modules (each registers routing schemes); returns their absolute paths. Bad plugins are UsageErrors. */
async function loadPlugins(files: readonly string[]): Promise<string[]> {
  const loaded: string[] = [];
  for (const file of files) {
    try {
      await loadPlugin(file);
    } catch (err) {
      throw new UsageError(`--plugin: ${messageOf(err)}`);
    }
    loaded.push(resolve(file));
  }
  return loaded;
}

/** Runs `experiment` in a new run directory. Throws UsageError on bad input, before anything is written. */
export async function runExperiment<Config>(experiment: Experiment<Config>, options: RunOptions = {}): Promise<RunOutcome> {
  const log = options.log ?? process.stdout;
  const plugins = await loadPlugins(options.plugins ?? []);
  const resolved = await resolveConfig(experiment, options);
  const runDir = await checkNewRunDir(
    options.out ?? defaultRunDir(options.runsRoot ?? 'runs', experiment.id, resolved.preset),
    { unique: options.out === undefined },
  );
  const requested = options.backend ?? 'auto';
  const backend = await chooseBackend(requested);

  const paths = runPaths(runDir);
  await mkdir(paths.dir, { recursive: true });
  await writeFileAtomic(paths.config, encode(resolved.configText));
  await mkdir(paths.checkpoints);
  await mkdir(paths.results);
  const metrics = MetricsLog.create(paths.metrics);
  const environment = describeEnvironment();
  const manifest: RunManifest = {
    format: 'routelab.run',
    formatVersion: 1,
    experiment: experiment.id,
    preset: resolved.preset,
    status: 'running',
    startedAt: now(),
    finishedAt: null,
    seed: resolved.seed,
    backend: { requested, chosen: backend.chosen, reason: backend.reason },
    routelabVersion: environment.routelabVersion,
    node: environment.node,
    platform: environment.platform,
    gitCommit: environment.gitCommit,
    pid: environment.pid,
    host: environment.host,
    metricsLines: 0,
    resumes: [],
    plugins,
  };
  const store = new ManifestStore(paths.manifest, manifest);
  try {
    await store.update({});
  } catch (err) {
    metrics.close();
    throw err;
  }
  log.write(`run ${displayPath(paths.dir)}: ${experiment.id}, preset ${resolved.preset}, seed ${resolved.seed}\n`);
  log.write(`backend ${backend.chosen}: ${backend.reason}\n`);
  return execute({ experiment, config: resolved.config, paths, store, metrics, seed: resolved.seed, log, options });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) === 'EPERM';
  }
}

async function readReport(paths: RunPaths): Promise<ExperimentReport | undefined> {
  try {
    const parsed = parseJsonText(await readFile(paths.reportJson, 'utf8'));
    const markdown = await readFile(paths.reportMarkdown, 'utf8');
    return parsed.ok && isPlainObject(parsed.value) ? { json: parsed.value, markdown } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Continues an interrupted (or failed, or crashed) run in its directory, from its checkpoints and saved
 * results, on the backend it ran on. A run that already finished is left alone (outcome.alreadyFinished).
 * Throws UsageError (exit 2) for a missing directory, one that is not a run, or a run still in progress;
 * RunFileError / CheckpointError (exit 1) for damaged run files. Nothing is written until all checks pass.
 */
export async function resumeRun(runDir: string, options: ResumeOptions = {}): Promise<RunOutcome> {
  const log = options.log ?? process.stdout;
  await checkIsRunDir(runDir);
  const paths = runPaths(resolve(runDir));
  const manifest = await readRunManifest(paths.dir);
  if (manifest.status === 'finished') {
    log.write(
      `run ${runDir} already finished at ${manifest.finishedAt ?? '?'}; nothing to resume (report: ${displayPath(paths.reportMarkdown)})\n`,
    );
    const report = await readReport(paths);
    return { runDir: paths.dir, status: 'finished', exitCode: 0, alreadyFinished: true, ...(report ? { report } : {}) };
  }
  if (manifest.status === 'running' && !options.force) {
    const sameHost = manifest.host === hostname();
    if (!sameHost || (manifest.pid !== process.pid && processAlive(manifest.pid))) {
      throw new UsageError(
        `cannot resume ${runDir}: its manifest says it is running (pid ${manifest.pid} on ${manifest.host})` +
          `${sameHost ? ' and that process is alive' : ''}; if it is not, resume with --force`,
      );
    }
  }
  const table = options.experiments ?? EXPERIMENTS;
  if (!Object.hasOwn(table, manifest.experiment)) {
    throw new UsageError(
      `cannot resume ${runDir}: its experiment "${manifest.experiment}" is not known to this routelab; known: ${knownExperiments(table)}`,
    );
  }
  const experiment = table[manifest.experiment]!;
  await loadPlugins(manifest.plugins);
  const configJson = await readJsonFile(paths.config);
  const parsed = experiment.configSchema.safeParse(configJson);
  if (!parsed.success) {
    throw new RunFileError(
      paths.config,
      `does not match experiment "${experiment.id}"'s config schema:\n${formatConfigIssues(parsed.error, configJson)}`,
    );
  }
  let backend: BackendSelection;
  try {
    backend = await selectBackend(manifest.backend.chosen);
  } catch (err) {
    throw new Error(`cannot resume ${runDir}: it ran on backend ${manifest.backend.chosen}, which is unusable here: ${messageOf(err)}`, {
      cause: err,
    });
  }
  const { checked, metricsMark } = await verifyCheckpoints(paths);

  // Every check passed: from here on the run directory is written.
  const keep = Math.max(manifest.metricsLines, metricsMark);
  const { log: metrics, superseded } = MetricsLog.resume(paths.metrics, keep, paths.supersededMetrics);
  const store = new ManifestStore(paths.manifest, manifest);
  try {
    await store.update({
      status: 'running',
      finishedAt: null,
      error: undefined,
      pid: process.pid,
      host: hostname(),
      metricsLines: keep,
      resumes: [...manifest.resumes, { at: now(), fromStatus: manifest.status, pid: process.pid }],
    });
  } catch (err) {
    metrics.close();
    throw err;
  }
  log.write(
    `resuming ${displayPath(paths.dir)} (${manifest.status}): ${experiment.id}, preset ${manifest.preset}, seed ${manifest.seed}, ` +
      `backend ${backend.chosen}, ${checked.length} checkpoint${checked.length === 1 ? '' : 's'} verified\n`,
  );
  if (superseded > 0) {
    log.write(`${superseded} metrics line(s) past the last checkpoint moved to ${displayPath(paths.supersededMetrics)}\n`);
  }
  return execute({ experiment, config: parsed.data, paths, store, metrics, seed: manifest.seed, log, options });
}

interface Session<Config> {
  experiment: Experiment<Config>;
  config: Config;
  paths: RunPaths;
  store: ManifestStore;
  metrics: MetricsLog;
  seed: number;
  log: LogStream;
  options: RunControlOptions;
}

function isStopRequested(err: unknown): boolean {
  return err instanceof StopRequested || (err instanceof Error && err.name === 'StopRequested');
}

function checkReport(report: unknown): asserts report is ExperimentReport {
  const r = report as Partial<ExperimentReport> | null | undefined;
  if (!isPlainObject(r?.json) || typeof r?.markdown !== 'string') {
    throw new TypeError('the experiment returned no valid report ({ json: object, markdown: string })');
  }
}

function forwardingReporter(onProgress: (u: ProgressUpdate) => void, log: LogStream): ProgressReporter {
  return { update: onProgress, message: (text) => void log.write(`${text}\n`), stop: () => {} };
}

/** With parts and more than one worker: the pending parts on the pool (run() then only reports). */
async function runPendingParts<Config>(s: Session<Config>, ctx: RunContext, progress: ProgressReporter, stopRequested: () => boolean): Promise<void> {
  const parts = s.experiment.parts;
  const workers = s.options.workers ?? defaultWorkerCount();
  if (!parts || workers <= 1) return;
  const pending = await parts.pending(s.config, ctx);
  if (pending.length <= 1) return;
  const count = Math.min(workers, pending.length);
  progress.message(`${pending.length} parts on ${count} worker threads`);
  await runPartsOnPool({
    experiment: s.experiment as Experiment<unknown>,
    config: s.config,
    parts: pending,
    ctx,
    workers: count,
    backend: s.store.manifest.backend.chosen,
    plugins: s.store.manifest.plugins,
    onProgress: (_part, update) => progress.update(update),
    stopRequested,
  });
}

async function execute<Config>(s: Session<Config>): Promise<RunOutcome> {
  const { paths, store, metrics, log } = s;
  const shown = displayPath(paths.dir);
  const resumeHint = `continue it with: routelab resume ${shown}`;
  const progress = s.options.onProgress ? forwardingReporter(s.options.onProgress, log) : createProgressReporter(log);
  const stop = new StopController({
    handleSignals: s.options.handleSignals ?? true,
    ...(s.options.abortSignal ? { abortSignal: s.options.abortSignal } : {}),
    onFirstSignal: (cause) =>
      progress.message(
        `${cause === 'abort' ? 'stop requested' : cause}: stopping at the experiment's next checkpoint` +
          `${cause === 'abort' ? '' : ' (send it again to quit at once)'}`,
      ),
    onSecondSignal: (signal) => {
      progress.stop();
      try {
        metrics.close();
        store.writeNowSync({ status: 'interrupted', finishedAt: now() });
      } finally {
        log.write(`${signal} again: quit at once; the run restarts from its last checkpoint; ${resumeHint}\n`);
        process.exit(SIGNAL_EXIT_CODES[signal]);
      }
    },
  });
  const ctx = createDirectoryContext({
    paths,
    backend: store.manifest.backend.chosen,
    seed: s.seed,
    metrics,
    progress,
    stopRequested: () => stop.requested(),
    onSaved: () => store.update({ metricsLines: metrics.lines }),
  });
  try {
    try {
      await runPendingParts(s, ctx, progress, () => stop.requested());
      const report: unknown = await s.experiment.run(s.config, ctx);
      checkReport(report);
      progress.stop();
      await writeFileAtomic(paths.reportJson, encode(toJsonText(report.json)));
      await writeFileAtomic(paths.reportMarkdown, encode(report.markdown.endsWith('\n') ? report.markdown : `${report.markdown}\n`));
      metrics.close();
      await store.update({ status: 'finished', finishedAt: now(), metricsLines: metrics.lines });
      log.write(`finished: ${shown}\n`);
      return { runDir: paths.dir, status: 'finished', exitCode: 0, report };
    } catch (err) {
      progress.stop();
      metrics.close();
      if (isStopRequested(err)) {
        await store.update({ status: 'interrupted', finishedAt: now() });
        log.write(`interrupted: ${shown}; ${resumeHint}\n`);
        return { runDir: paths.dir, status: 'interrupted', exitCode: stop.exitCode() };
      }
      const message = messageOf(err);
      await store.update({ status: 'failed', error: message, finishedAt: now() });
      return { runDir: paths.dir, status: 'failed', exitCode: 1, error: message, cause: err };
    }
  } finally {
    stop.dispose();
    progress.stop();
    metrics.close();
  }
}

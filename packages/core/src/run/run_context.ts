// The contract between an experiment (MNIST split, persona arms...) and whatever runs it (the CLI's run
// directories, a worker in `routelab compare`, a test). Experiments never touch the file system layout or the
// terminal themselves: they report metrics, ask whether to stop, and save or restore checkpoints through
// this interface, which is what makes every experiment interruptible and resumable in the same way.
import type * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import type { BackendName } from '../backends/backend_types.ts';

/** One metrics event, appended as a line of metrics.jsonl. */
export interface MetricEvent {
  /** e.g. 'train', 'eval', 'certificate', 'gradient-mass'. */
  kind: string;
  /** Which part of the experiment: e.g. 'routed/seed-1'. */
  cell?: string;
  step?: number;
  [field: string]: unknown;
}

export interface ProgressUpdate {
  /** Short label of the current phase, e.g. 'routed seed 2'. */
  phase: string;
  done: number;
  total: number;
  /** e.g. { loss: 0.123 } shown beside the bar. */
  info?: Record<string, number | string>;
}

/** Tensors plus JSON state, saved under a name (e.g. the cell) and restored on resume. */
export interface CheckpointPayload {
  tensors: Record<string, tf.Tensor>;
  /** Anything JSON-serialisable: step counters, optimiser iteration, phase... */
  state: Record<string, unknown>;
}

export interface RunContext {
  readonly backend: BackendName;
  readonly seed: number;
  /** Appends to metrics.jsonl. */
  emit(event: MetricEvent): void;
  progress(update: ProgressUpdate): void;
  /**
   * True once Ctrl-C or SIGTERM arrived: save a checkpoint and return early (throw StopRequested). Signals
   * are delivered by the event loop, so a step loop should yield once per step (`await yieldToEventLoop()`)
   * or it will only notice the stop when it next awaits I/O.
   */
  stopRequested(): boolean;
  saveCheckpoint(name: string, payload: CheckpointPayload): Promise<void>;
  /** The last checkpoint saved under `name`, or undefined when starting fresh. */
  loadCheckpoint(name: string): Promise<CheckpointPayload | undefined>;
  /** Results of finished parts (so a resumed run skips them): stored as JSON under `name`. */
  saveResult(name: string, result: unknown): Promise<void>;
  loadResult<T>(name: string): Promise<T | undefined>;
}

/** Lets pending signal handlers and timers run; call once per training step. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

/** Thrown by an experiment after saving its checkpoint when a stop was requested. */
export class StopRequested extends Error {
  constructor() {
    super('stopped on request; the run can be resumed');
    this.name = 'StopRequested';
  }
}

export interface ExperimentReport {
  /** Machine-readable results, written as report.json. */
  json: Record<string, unknown>;
  /** Human-readable report, written as report.md. */
  markdown: string;
}

/** One finished (or failed) run gathered by `routelab collect` / `compare` from a sweep's cell directories. */
export interface CollectedCell<Config> {
  /** The cell's id in the sweep, e.g. "arm=era,seed=1". */
  id: string;
  config: Config;
  status: 'finished' | 'failed' | 'interrupted' | 'running' | 'missing';
  /** Everything the run saved with saveResult, by name. */
  results: Record<string, unknown>;
  report?: Record<string, unknown>;
  error?: string;
}

/**
 * How a runner splits an experiment across workers. A part is named by a string; run(config, part, ctx) must
 * be a pure function of (config, ctx.seed, part, backend) and save everything run() needs via ctx.saveResult,
 * and be resumable from its own checkpoints like any experiment code.
 */
export interface ExperimentParts<Config> {
  /** The parts that have not saved their results yet, in the order run() would do them. */
  pending(config: Config, ctx: RunContext): Promise<string[]>;
  run(config: Config, part: string, ctx: RunContext): Promise<void>;
}

/**
 * An experiment: a config schema (with presets), and a run function. Registered by id in the CLI's table.
 * `Config` is the resolved config (after zod parsing and defaults); it is saved whole in the run directory.
 */
export interface Experiment<Config> {
  id: string;
  description: string;
  configSchema: z.ZodType<Config>;
  presets: Record<string, Config>;
  defaultPreset: string;
  run(config: Config, ctx: RunContext): Promise<ExperimentReport>;
  /**
   * The run's independent parts (e.g. arm x seed cells), which a runner may execute in parallel worker
   * threads before it calls run(). Each part saves its results through its context; run() then finds them
   * saved and skips them, exactly as it does on resume, so the report is the same either way.
   */
  parts?: ExperimentParts<Config>;
  /**
   * Merges cells run separately (a sweep, `routelab compare`) into one report. Without it, collect writes a
   * table of each cell's report.json.
   */
  collect?(cells: CollectedCell<Config>[]): ExperimentReport;
}

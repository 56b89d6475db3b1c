// The step loop every experiment trains with: one batch per step from a pure function of the step, one
// optimiser step each, metrics every `logEvery` steps, progress every step, and interruption. Every
// `checkpointEvery` steps, and when a stop is requested, `save(done)` writes a checkpoint; with every random
// choice a function of (rng, step), a loop resumed from a checkpoint at step s continues exactly as an
// uninterrupted one would have.
import type { MetricEvent, RunContext } from '../run/run_context.ts';
import { StopRequested, yieldToEventLoop } from '../run/run_context.ts';

export interface TrainLoopOptions<Batch> {
  ctx: RunContext;
  /** Names the loop: the `cell` of its metrics, its progress phase (unless `progress.phase`) and its errors. */
  label: string;
  /** Steps [from, steps) run; `from` is 0 or the step a checkpoint was saved at. */
  steps: number;
  from: number;
  checkpointEvery: number;
  logEvery: number;
  /** The batch of a step (a pure function of the step), and how to free it after the step. */
  batch: (step: number) => Batch;
  disposeBatch?: (batch: Batch) => void;
  /** One optimiser step on the batch; returns its loss. */
  step: (batch: Batch, step: number) => Promise<number>;
  /** Writes a checkpoint after `done` steps (the step to resume from). */
  save: (done: number) => Promise<void>;
  /**
   * Progress: the phase shown (default `label`), and where this loop sits in a longer phase (done is
   * offset + steps done, out of total; default 0 and `steps`).
   */
  progress?: { phase?: string; offset?: number; total?: number };
  /** The metric logged every logEvery steps: `{ kind, cell: label, ...fields, step, loss }`; kind defaults to 'train'. */
  metric?: { kind?: string; fields?: Record<string, unknown> };
}

function checkInteger(label: string, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${label}: ${name} must be an integer >= ${min}, got ${value}`);
}

/** Runs steps [from, steps); returns the last step's loss (NaN when no step ran). A non-finite loss throws. */
export async function trainLoop<Batch>(options: TrainLoopOptions<Batch>): Promise<number> {
  const { ctx, label, steps, from } = options;
  checkInteger(label, 'steps', steps, 0);
  checkInteger(label, 'from', from, 0);
  checkInteger(label, 'checkpointEvery', options.checkpointEvery, 1);
  checkInteger(label, 'logEvery', options.logEvery, 1);
  const phase = options.progress?.phase ?? label;
  const offset = options.progress?.offset ?? 0;
  const total = options.progress?.total ?? steps;
  let loss = Number.NaN;
  for (let step = from; step < steps; step++) {
    await yieldToEventLoop();
    if (ctx.stopRequested()) {
      await options.save(step);
      throw new StopRequested();
    }
    const batch = options.batch(step);
    try {
      loss = await options.step(batch, step);
    } finally {
      options.disposeBatch?.(batch);
    }
    if (!Number.isFinite(loss)) throw new Error(`${label}: training loss is ${loss} at step ${step + 1} (diverged)`);
    const done = step + 1;
    if (done % options.logEvery === 0 || done === steps) {
      const event: MetricEvent = { kind: options.metric?.kind ?? 'train', cell: label, ...options.metric?.fields, step: done, loss };
      ctx.emit(event);
    }
    ctx.progress({ phase, done: offset + done, total, info: { loss: Number(loss.toPrecision(4)) } });
    if (done % options.checkpointEvery === 0 && done < steps) await options.save(done);
  }
  return loss;
}

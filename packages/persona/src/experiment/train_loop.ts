// The step loop shared by stage 1 and stage 2: batches from a BatchOrder, one optimiser step each, metrics,
// and interruption. Every `checkpointEvery` steps, and when a stop is requested, the model and optimiser
// state go into a checkpoint with the step count; every random choice is a function of (rng, step), so a
// resumed loop continues exactly as an uninterrupted one would have.
import { StopRequested, tf, yieldToEventLoop } from '@routelab/core';
import type { MaskedOptimizer, RunContext } from '@routelab/core';
import { disposeBatch, makeBatch, type LmBatch } from '../model/batch.ts';
import type { Transformer } from '../model/transformer.ts';
import type { EncodedSequence } from '../world/world.ts';
import type { BatchOrder } from './data.ts';

export interface TrainLoopArgs {
  ctx: RunContext;
  /** Metrics `cell` field and progress phase, e.g. 'era/seed-0' or 'prior/seed-0'. */
  label: string;
  checkpointName: string;
  model: Transformer;
  optimizer: MaskedOptimizer;
  examples: readonly EncodedSequence[];
  order: BatchOrder;
  steps: number;
  /** First step to run (0, or the step a checkpoint was taken at). */
  from: number;
  checkpointEvery: number;
  logEvery: number;
  /** One optimiser step on the batch; returns its loss. */
  step: (batch: LmBatch, step: number) => Promise<number>;
  /** JSON saved beside the step in every checkpoint (e.g. which phase of the cell this is). */
  state: Record<string, unknown>;
}

export interface TrainingState {
  step: number;
  iterations: number;
  [key: string]: unknown;
}

/** Checkpoint tensors: the model's parameters (`model.<name>`) and the optimiser's moments (`opt.<name>.m`). */
export function trainingTensors(model: Transformer, optimizer?: MaskedOptimizer): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, v] of model.namedParameters()) out[`model.${name}`] = v;
  for (const [name, v] of optimizer?.stateTensors() ?? []) out[`opt.${name}`] = v;
  return out;
}

/** Loads what trainingTensors saved into a model (and optimiser, at `iterations`); disposes the payload's tensors. */
export function restoreTraining(tensors: Record<string, tf.Tensor>, model: Transformer, optimizer?: MaskedOptimizer, iterations = 0): void {
  const part = (prefix: string) =>
    Object.fromEntries(Object.entries(tensors).filter(([n]) => n.startsWith(prefix)).map(([n, t]) => [n.slice(prefix.length), t]));
  try {
    model.loadStateDict(part('model.'));
    if (optimizer) optimizer.restoreState(part('opt.'), iterations);
  } finally {
    // loadStateDict makes the variables share the payload's buffers; disposing the payload only drops its
    // references (the optimiser's in-place kernels copy a shared buffer before writing).
    tf.dispose(Object.values(tensors));
  }
}

/** Runs steps [from, steps); returns the last step's loss (NaN when no step ran). */
export async function trainLoop(args: TrainLoopArgs): Promise<number> {
  const { ctx, model, optimizer, examples, order, steps } = args;
  const save = (step: number) =>
    ctx.saveCheckpoint(args.checkpointName, {
      tensors: trainingTensors(model, optimizer),
      state: { ...args.state, step, iterations: optimizer.iterations },
    });
  let loss = Number.NaN;
  for (let step = args.from; step < steps; step++) {
    await yieldToEventLoop();
    if (ctx.stopRequested()) {
      await save(step);
      throw new StopRequested();
    }
    const batch = makeBatch(order.indices(step).map((i) => examples[i]!), model.config.maxLen, { width: 'longest' });
    try {
      loss = await args.step(batch, step);
    } finally {
      disposeBatch(batch);
    }
    if (!Number.isFinite(loss)) throw new Error(`${args.label}: training loss is ${loss} at step ${step + 1} (diverged)`);
    const done = step + 1;
    ctx.progress({ phase: args.label, done, total: steps, info: { loss: Number(loss.toPrecision(4)) } });
    if (done % args.logEvery === 0 || done === steps) ctx.emit({ kind: 'train', cell: args.label, step: done, loss });
    if (done % args.checkpointEvery === 0 && done < steps) await save(done);
  }
  return loss;
}

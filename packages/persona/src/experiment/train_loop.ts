// Stage 1 and stage 2 on core's training skeleton (core owns the step loop): this file only builds the batches
// of a stage's examples in a BatchOrder and names the checkpoint tensors `model.<name>` / `opt.<name>.<slot>`.
import { restoreTraining as restoreParts, saveTraining, trainLoop as coreTrainLoop, trainingTensors as partsTensors } from '@routelab/core';
import type { BatchOrder, MaskedOptimizer, RunContext, tf } from '@routelab/core';
import { disposeBatch, makeBatch, type LmBatch } from '../model/batch.ts';
import type { Transformer } from '../model/transformer.ts';
import type { EncodedSequence } from '../world/world.ts';

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
  /** Further models saved in every checkpoint under their prefix (e.g. `best`: the early-stopping copy). */
  extraModules?: Record<string, Transformer>;
}

/** Checkpoint tensors: the model's parameters (`model.<name>`) and the optimiser's moments (`opt.<name>.m`). */
export function trainingTensors(model: Transformer, optimizer?: MaskedOptimizer): Record<string, tf.Tensor> {
  return partsTensors({ modules: { model }, optimizers: optimizer ? { opt: optimizer } : {} });
}

/** Loads what trainingTensors saved into a model (and optimiser, at `iterations`, and extra models); disposes the payload's tensors. */
export function restoreTraining(
  tensors: Record<string, tf.Tensor>,
  model: Transformer,
  optimizer?: MaskedOptimizer,
  iterations = 0,
  extraModules: Record<string, Transformer> = {},
): void {
  restoreParts(tensors, { modules: { model, ...extraModules }, optimizers: optimizer ? { opt: optimizer } : {} }, iterations);
}

/** Runs steps [from, steps); returns the last step's loss (NaN when no step ran). */
export function trainOnExamples(args: TrainLoopArgs): Promise<number> {
  const { model, optimizer, examples, order } = args;
  return coreTrainLoop<LmBatch>({
    ctx: args.ctx,
    label: args.label,
    steps: args.steps,
    from: args.from,
    checkpointEvery: args.checkpointEvery,
    logEvery: args.logEvery,
    step: args.step,
    batch: (step) => makeBatch(order.indices(step).map((i) => examples[i]!), model.config.maxLen, { width: 'longest' }),
    disposeBatch,
    save: (done) =>
      saveTraining(args.ctx, args.checkpointName, { modules: { model, ...args.extraModules }, optimizers: { opt: optimizer } }, { ...args.state, step: done, iterations: optimizer.iterations }),
  });
}

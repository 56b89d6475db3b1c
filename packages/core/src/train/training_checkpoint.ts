// How a training run's tensors are named in its checkpoints, in one place for every experiment: a module's
// parameters as `<prefix>.<parameter>` (e.g. `model.blocks.0.mlp.w_in`) and an optimiser's state as
// `<prefix>.<parameter>.<slot>` (e.g. `opt.blocks.0.mlp.w_in.m`). Prefixes are the caller's: `model` and
// `opt` for the thing being trained, others (`cert.a`, `certopt`) for whatever else a phase trains.
import * as tf from '@tensorflow/tfjs-core';
import type { MaskedOptimizer } from '../optim/masked_optimizer.ts';
import type { CheckpointPayload, RunContext } from '../run/run_context.ts';

/** What a checkpoint holds parameters of: a Module, or anything with the same two methods. */
export interface ParameterHolder {
  namedParameters(): ReadonlyArray<readonly [string, tf.Variable]>;
  loadStateDict(state: Readonly<Record<string, tf.Tensor>>): void;
}

export interface TrainingParts {
  /** Parameter holders by prefix, e.g. { model }. */
  modules?: Readonly<Record<string, ParameterHolder>>;
  /** Optimisers by prefix, e.g. { opt: optimizer }. */
  optimizers?: Readonly<Record<string, MaskedOptimizer>>;
}

/** The checkpoint's tensors (the variables themselves, not copies: saveCheckpoint reads them). */
export function trainingTensors(parts: TrainingParts): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [prefix, module] of Object.entries(parts.modules ?? {})) {
    for (const [name, v] of module.namedParameters()) out[`${prefix}.${name}`] = v;
  }
  for (const [prefix, optimizer] of Object.entries(parts.optimizers ?? {})) {
    for (const [name, v] of optimizer.stateTensors()) out[`${prefix}.${name}`] = v;
  }
  return out;
}

/** The tensors under `<prefix>.`, with the prefix removed. */
export function tensorsUnder(prefix: string, tensors: Readonly<Record<string, tf.Tensor>>): Record<string, tf.Tensor> {
  const start = `${prefix}.`;
  return Object.fromEntries(Object.entries(tensors).filter(([n]) => n.startsWith(start)).map(([n, t]) => [n.slice(start.length), t]));
}

/**
 * Loads what trainingTensors saved into the given parts (optimisers continue at `iterations`, their step
 * count when saved) and disposes the payload's tensors. Tensors under other prefixes are ignored, so a
 * phase restores only what it trains. Module names and shapes are checked by loadStateDict, optimiser
 * slots by restoreState.
 */
export function restoreTraining(tensors: Record<string, tf.Tensor>, parts: TrainingParts, iterations = 0): void {
  try {
    for (const [prefix, module] of Object.entries(parts.modules ?? {})) module.loadStateDict(tensorsUnder(prefix, tensors));
    for (const [prefix, optimizer] of Object.entries(parts.optimizers ?? {})) optimizer.restoreState(tensorsUnder(prefix, tensors), iterations);
  } finally {
    // loadStateDict makes the variables share the payload's buffers; disposing the payload only drops its
    // references (the optimisers' in-place kernels copy a shared buffer before writing).
    tf.dispose(Object.values(tensors));
  }
}

/** Saves `parts` and `state` under `name`. */
export function saveTraining(ctx: RunContext, name: string, parts: TrainingParts, state: CheckpointPayload['state']): Promise<void> {
  return ctx.saveCheckpoint(name, { tensors: trainingTensors(parts), state });
}

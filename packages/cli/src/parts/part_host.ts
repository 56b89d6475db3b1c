// The main-thread side of a part running in a pool worker: the worker's RunContext calls these (through
// comlink) and they go to the run directory's own RunContext, so that every file of the run is written by
// one thread, in one order, exactly as when the run goes sequentially. Tensors cross as plain typed arrays.
import { tf } from '@routelab/core';
import type { CheckpointPayload, MetricEvent, RunContext } from '@routelab/core';

export interface PlainTensor {
  dtype: tf.DataType;
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

export interface PlainCheckpoint {
  tensors: Record<string, PlainTensor>;
  state: Record<string, unknown>;
}

/** What a part's worker may ask of the main thread. */
export interface PartHost {
  emit(event: MetricEvent): void;
  saveCheckpoint(name: string, payload: PlainCheckpoint): Promise<void>;
  loadCheckpoint(name: string): Promise<PlainCheckpoint | undefined>;
  saveResult(name: string, result: unknown): Promise<void>;
  loadResult(name: string): Promise<unknown>;
}

export async function toPlainCheckpoint(payload: CheckpointPayload): Promise<PlainCheckpoint> {
  const tensors: Record<string, PlainTensor> = {};
  for (const [name, t] of Object.entries(payload.tensors)) {
    tensors[name] = { dtype: t.dtype, shape: [...t.shape], data: (await t.data()) as PlainTensor['data'] };
  }
  return { tensors, state: payload.state };
}

/** The caller owns (and disposes) the tensors. */
export function fromPlainCheckpoint(plain: PlainCheckpoint): CheckpointPayload {
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, t] of Object.entries(plain.tensors)) tensors[name] = tf.tensor(t.data, t.shape, t.dtype);
  return { tensors, state: plain.state };
}

export function createPartHost(ctx: RunContext): PartHost {
  return {
    emit: (event) => ctx.emit(event),
    async saveCheckpoint(name, plain) {
      const payload = fromPlainCheckpoint(plain);
      try {
        await ctx.saveCheckpoint(name, payload);
      } finally {
        tf.dispose(Object.values(payload.tensors));
      }
    },
    async loadCheckpoint(name) {
      const payload = await ctx.loadCheckpoint(name);
      if (!payload) return undefined;
      try {
        return await toPlainCheckpoint(payload);
      } finally {
        tf.dispose(Object.values(payload.tensors));
      }
    },
    saveResult: (name, result) => ctx.saveResult(name, result),
    loadResult: (name) => ctx.loadResult(name),
  };
}

// A named place in a forward pass where outside code may read or replace an activation (TransformerLens's
// HookPoint). Routing schemes work through these: an activation-routing mask is just a hook that returns
// route(x, mask). Hooks are plain functions of tensors, so they work under tf.grad and tf.variableGrads.

import * as tf from '@tensorflow/tfjs-core';

export interface HookContext {
  /** The full dotted name the hook was registered under, e.g. "blocks.0.mlp.hidden". */
  name: string;
}

/** Returns a replacement activation (same shape), or nothing to leave it as it is (observe only). */
export type HookFn = (activation: tf.Tensor, context: HookContext) => tf.Tensor | void;

interface AttachedHook {
  fn: HookFn;
  name: string;
}

export class HookPoint {
  private attached: AttachedHook[] = [];

  constructor(
    /** The local name within its module ("hidden"); the full name depends on where the module sits. */
    readonly localName: string,
    /** Shape as documented at the declaration, e.g. "[batch, pos, d_mlp]". */
    readonly shape?: string,
  ) {}

  get hookCount(): number {
    return this.attached.length;
  }

  /** Attaches `fn` and returns the function that detaches exactly this attachment. Use withHooks instead. */
  attach(fn: HookFn, name: string): () => void {
    const entry: AttachedHook = { fn, name };
    this.attached = [...this.attached, entry];
    return () => {
      this.attached = this.attached.filter((e) => e !== entry);
    };
  }

  /** Passes `x` through every attached hook in registration order. */
  run(x: tf.Tensor): tf.Tensor {
    let current = x;
    // Iterate a snapshot: a hook that attaches or detaches hooks must not change this pass.
    for (const { fn, name } of this.attached) {
      const replaced = fn(current, { name });
      if (replaced === undefined) continue;
      if (!(replaced instanceof tf.Tensor)) {
        throw new TypeError(`hook at "${name}" returned ${typeof replaced}; return a tf.Tensor or nothing`);
      }
      if (!tf.util.arraysEqual(replaced.shape, current.shape)) {
        throw new RangeError(
          `hook at "${name}" changed the activation shape from [${current.shape.join(', ')}] to ` +
            `[${replaced.shape.join(', ')}]${this.shape ? ` (declared ${this.shape})` : ''}`,
        );
      }
      current = replaced;
    }
    return current;
  }
}

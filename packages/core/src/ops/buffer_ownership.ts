// In-place kernels write into tfjs's own buffers. tfjs shares buffers between tensors more often than one
// expects (`tf.variable(init)`, `clone()`, `reshape()`), so before writing in place we make sure the variable
// is the only owner of its buffer; otherwise writing would silently change the other tensors too.
import * as tf from '@tensorflow/tfjs-core';

function refCount(t: tf.Tensor): number {
  return tf.engine().backend.refCount(t.dataId);
}

/** Gives `variable` a private copy of its data if its buffer is shared. Cheap when it is not. */
export function ensureExclusiveBuffer(variable: tf.Variable): void {
  if (refCount(variable) <= 1) return;
  const copy = tf.tidy(() => tf.add(variable, tf.scalar(0, variable.dtype)));
  variable.assign(copy); // variable now shares copy's fresh buffer...
  copy.dispose(); // ...and, with copy gone, owns it alone.
}

export class SharedBufferError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SharedBufferError';
  }
}

/** The written tensors must not alias any other input (e.g. grad passed as its own parameter). */
export function assertNoAliasing(written: Record<string, tf.Tensor>, read: Record<string, tf.Tensor>): void {
  const seen = new Map<object, string>();
  for (const [name, t] of Object.entries(written)) {
    const other = seen.get(t.dataId);
    if (other) throw new SharedBufferError(`in-place update: "${name}" and "${other}" share one buffer`);
    seen.set(t.dataId, name);
  }
  for (const [name, t] of Object.entries(read)) {
    const other = seen.get(t.dataId);
    if (other) throw new SharedBufferError(`in-place update: input "${name}" shares a buffer with "${other}"`);
  }
}

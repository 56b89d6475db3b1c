// One-hot rows as float32. tfjs-wasm's OneHot kernel ignores the dtype argument and writes int32 bits into a
// tensor labelled float32 (so 1 reads as 1.4e-45); building int32 and casting is correct on every backend.
import { tf } from '@routelab/core';

/** ids [n] int32 -> [n, depth] float32 */
export function oneHotFloat(ids: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(ids, depth), 'float32') as tf.Tensor2D);
}

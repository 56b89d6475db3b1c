// Cross entropy of rows of logits against integer targets, per row: logSumExp(row) - row[target]. Fused: one
// kernel forward (keeping the softmax for the gradient) and one backward (softmax - onehot, scaled by the
// row's incoming gradient), reading the targets as ids; the composite builds a one-hot matrix and takes about
// ten tfjs ops. The targets carry no gradient.
import * as tf from '@tensorflow/tfjs-core';
import { FusedCrossEntropy, FusedCrossEntropyGrad } from '../../kernels/kernel_names.ts';
import { customOp, fusedKernelsAvailable, runKernel } from './availability.ts';

/** The composite, with the gradient written out (softmax - onehot) instead of autodiff through logSumExp. */
export function composedCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const vocab = logits.shape[1];
  // One-hot built as int32 then cast: tfjs-wasm's OneHot ignores the float dtype argument.
  const oneHot = tf.tidy(() => tf.cast(tf.oneHot(targets, vocab), 'float32'));
  const op = customOp((...args) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const shifted = tf.sub(x, tf.max(x, 1, true));
    const exp = tf.exp(shifted);
    const sumExp = tf.sum(exp, 1, true);
    const probs = tf.div(exp, sumExp);
    // Everything the gradient reads goes through save(): tensors captured by the closure may be disposed by
    // an enclosing tidy before the backward pass runs.
    save([probs, oneHot]);
    return {
      value: tf.sub(tf.log(tf.reshape(sumExp, [-1])), tf.sum(tf.mul(shifted, oneHot), 1)),
      gradFunc: (dy, saved) => tf.mul(tf.reshape(dy, [-1, 1]), tf.sub(saved[0]!, saved[1]!)),
    };
  });
  try {
    return op(logits) as tf.Tensor1D;
  } finally {
    oneHot.dispose();
  }
}

/** logits [n, vocab] float32, targets [n] int32 ids -> loss [n] */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  if (logits.rank !== 2 || targets.rank !== 1 || targets.shape[0] !== logits.shape[0] || targets.dtype !== 'int32') {
    throw new RangeError(`crossEntropy: expected logits [n, vocab] and int32 targets [n], got [${logits.shape.join(', ')}] and ${targets.dtype} [${targets.shape.join(', ')}]`);
  }
  if (!fusedKernelsAvailable()) return composedCrossEntropy(logits, targets);
  const op = customOp((...args) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const [loss, probs] = runKernel(FusedCrossEntropy, { logits: x, targets }) as [tf.Tensor, tf.Tensor];
    save([probs, targets]);
    return {
      value: loss,
      gradFunc: (dloss, saved) => runKernel(FusedCrossEntropyGrad, { dloss, probs: saved[0]!, targets: saved[1]! })[0]!,
    };
  });
  return op(logits) as tf.Tensor1D;
}

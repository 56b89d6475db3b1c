// Embedding tables read row by row: token embeddings as a one-hot product and position embeddings added to
// every sequence. Outside parameter routing these are the plain tfjs ops (one-hot matMul, broadcasting add),
// with autodiff gradients. Under parameter routing (nn/parameter_routing.ts) the table's gradient is split by
// the class of each unit (token position) that read it; the one-hot input carries no gradient.
import * as tf from '@tensorflow/tfjs-core';
import { checkRoutedRows, parameterRoute, routedGradient } from '../parameter_routing.ts';
import { customOp } from './availability.ts';

/** oneHot [units, vocab] float32 (no gradient), table [vocab, d] -> [units, d] */
export function oneHotEmbed(oneHot: tf.Tensor2D, table: tf.Tensor2D): tf.Tensor2D {
  const route = parameterRoute(table);
  if (!route) return tf.matMul(oneHot, table);
  checkRoutedRows('oneHotEmbed', oneHot.shape[0]);
  const op = customOp((...args) => {
    const [t, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    save([oneHot]);
    return {
      value: tf.matMul(oneHot, t),
      gradFunc: (dy, saved) => routedGradient(route, dy as tf.Tensor2D, (g) => tf.matMul(saved[0] as tf.Tensor2D, g, true, false)),
    };
  });
  return op(table) as tf.Tensor2D;
}

/** x [batch, pos, d] + positions [pos, d] (the same rows added to every sequence) -> [batch, pos, d] */
export function addPositions(x: tf.Tensor, positions: tf.Tensor): tf.Tensor {
  const route = parameterRoute(positions);
  if (!route) return tf.add(x, positions);
  const [batch, pos, d] = x.shape as [number, number, number];
  checkRoutedRows('addPositions', batch * pos);
  const op = customOp((...args) => {
    const [xi, p] = args as [tf.Tensor, tf.Tensor];
    return {
      value: tf.add(xi, p),
      gradFunc: (dy) => [
        tf.clone(dy),
        routedGradient(route, tf.reshape(dy, [batch * pos, d]) as tf.Tensor2D, (g) => tf.sum(tf.reshape(g, [batch, pos, d]), 0)),
      ],
    };
  });
  return op(x, positions);
}

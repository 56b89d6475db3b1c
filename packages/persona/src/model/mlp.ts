// The GELU MLP of a block, optionally expanded for ERA. Expanded units have parameters of their own
// (w_in_expanded, b_in_expanded, w_out_expanded), so an expanded model's original parameters keep the names
// and shapes of the unexpanded model's: loading a stage-1 prior into it, slicing the extra units off, or
// masking them by name are all plain state-dict operations.
//
// The output is split into the original units' contribution and the expanded units' contribution, each
// behind its own hook point, and summed after the hooks. On the persona world, routing (or ablating) the
// hidden units leaks through the output weights of the masked units; routing the contribution does not
// (docs/methods.md).
import { addWithoutSaving, concatParameters, gelu as coreGelu, initNormal, initZeros, linear, Module, reshapeWithoutSaving, tf, type Rng } from '@routelab/core';

/**
 * Exact GELU, x * Phi(x), with a hand-written gradient (Phi(x) + x * phi(x)): core's op, one fused kernel each
 * way where the backend has it.
 */
export const gelu = coreGelu;

export interface MlpDims {
  dModel: number;
  dMlp: number;
  /** Extra units (0 = not expanded). */
  expanded: number;
}

export interface MlpInit {
  std: number;
  /** Std of w_out (GPT-2 scales residual-stream writers down with depth). */
  outStd: number;
  /** Std of w_out_expanded; 0 (the default) makes an expanded model compute exactly what the unexpanded one does. */
  expandedOutStd: number;
}

export class Mlp extends Module {
  readonly w_in: tf.Variable; // [d_model, d_mlp]
  readonly b_in: tf.Variable; // [d_mlp]
  readonly w_in_expanded: tf.Variable | undefined; // [d_model, expanded]
  readonly b_in_expanded: tf.Variable | undefined; // [expanded]
  readonly w_out: tf.Variable; // [d_mlp, d_model]
  readonly b_out: tf.Variable; // [d_model]
  readonly w_out_expanded: tf.Variable | undefined; // [expanded, d_model]

  constructor(
    rng: Rng,
    readonly dims: MlpDims,
    init: MlpInit,
  ) {
    super();
    const { dModel, dMlp, expanded } = dims;
    const units = dMlp + expanded;
    this.w_in = this.addParameter('w_in', initNormal(rng.split('w_in'), [dModel, dMlp], init.std));
    this.b_in = this.addParameter('b_in', initZeros([dMlp]));
    const fresh = (name: ExpandedParameterName) => expandedMlpParameter(rng, name, dModel, expanded, init);
    if (expanded > 0) {
      this.w_in_expanded = this.addParameter('w_in_expanded', fresh('w_in_expanded'));
      this.b_in_expanded = this.addParameter('b_in_expanded', fresh('b_in_expanded'));
    }
    this.addHookPoint('pre', `[batch, pos, ${units}]`); // [batch, pos, d_mlp + expanded], pre-activation
    this.addHookPoint('hidden', `[batch, pos, ${units}]`); // [batch, pos, d_mlp + expanded], post-GELU units
    this.w_out = this.addParameter('w_out', initNormal(rng.split('w_out'), [dMlp, dModel], init.outStd));
    this.b_out = this.addParameter('b_out', initZeros([dModel]));
    if (expanded > 0) {
      this.w_out_expanded = this.addParameter('w_out_expanded', fresh('w_out_expanded'));
      this.addHookPoint('out_original', `[batch, pos, ${dModel}]`); // [batch, pos, d_model], original units' contribution (+ b_out)
      this.addHookPoint('out_expanded', `[batch, pos, ${dModel}]`); // [batch, pos, d_model], expanded units' contribution
    }
    this.addHookPoint('out', `[batch, pos, ${dModel}]`); // [batch, pos, d_model], the sum written to the residual stream
  }

  /** [batch, pos, d_model] -> [batch, pos, d_model] */
  forward(x: tf.Tensor): tf.Tensor {
    const [batch, pos, dModel] = x.shape as [number, number, number];
    const { dMlp, expanded } = this.dims;
    const units = dMlp + expanded;
    const rows = batch * pos;
    const flat = reshapeWithoutSaving(x, [rows, dModel]) as tf.Tensor2D;
    // concatParameters is tf.concat that keeps the parts' parameter-routing masks on the joined weight.
    const wIn = expanded > 0 ? concatParameters([this.w_in, this.w_in_expanded!], 1) : this.w_in;
    const bIn = expanded > 0 ? concatParameters([this.b_in, this.b_in_expanded!], 0) : this.b_in;
    const pre = this.hook('pre', reshapeWithoutSaving(linear(flat, wIn as tf.Tensor2D, bIn), [batch, pos, units]));
    const hidden = reshapeWithoutSaving(this.hook('hidden', gelu(pre)), [rows, units]) as tf.Tensor2D;
    const toResid = (t: tf.Tensor) => reshapeWithoutSaving(t, [batch, pos, dModel]);
    if (expanded === 0) {
      return this.hook('out', toResid(linear(hidden, this.w_out as tf.Tensor2D, this.b_out)));
    }
    const original = tf.slice(hidden, [0, 0], [rows, dMlp]);
    const extra = tf.slice(hidden, [0, dMlp], [rows, expanded]);
    const outOriginal = this.hook('out_original', toResid(linear(original as tf.Tensor2D, this.w_out as tf.Tensor2D, this.b_out)));
    const outExpanded = this.hook('out_expanded', toResid(linear(extra as tf.Tensor2D, this.w_out_expanded! as tf.Tensor2D)));
    return this.hook('out', addWithoutSaving(outOriginal, outExpanded));
  }
}

export const EXPANDED_PARAMETER_NAMES = ['w_in_expanded', 'b_in_expanded', 'w_out_expanded'] as const;
export type ExpandedParameterName = (typeof EXPANDED_PARAMETER_NAMES)[number];

/**
 * A fresh value of one expanded-unit parameter, drawn from `mlpRng` (the block's `mlp` stream) under the
 * parameter's name, so expanding a trained model gives the new units exactly the values that a model built
 * expanded from the same seed would have had.
 */
export function expandedMlpParameter(
  mlpRng: Rng,
  name: ExpandedParameterName,
  dModel: number,
  expanded: number,
  init: MlpInit,
): tf.Tensor {
  switch (name) {
    case 'w_in_expanded':
      return initNormal(mlpRng.split(name), [dModel, expanded], init.std);
    case 'b_in_expanded':
      return initZeros([expanded]);
    case 'w_out_expanded':
      return init.expandedOutStd === 0 ? initZeros([expanded, dModel]) : initNormal(mlpRng.split(name), [expanded, dModel], init.expandedOutStd);
  }
}

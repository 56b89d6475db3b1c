// A small decoder-only transformer for the persona worlds: token + learned position embeddings, pre-LN blocks
// (causal multi-head self-attention, GELU MLP), a final layer norm and a separate (untied) unembedding.
// Every activation passes through a named hook point (TransformerLens style) so routing schemes, ablations
// and probes attach from outside. Full names, e.g.:
//   embed, pos_embed, blocks.0.resid_pre, blocks.0.attn.pattern, blocks.0.attn.out, blocks.0.resid_mid,
//   blocks.0.mlp.hidden, blocks.0.mlp.out_original, blocks.0.mlp.out_expanded, blocks.0.mlp.out,
//   blocks.0.resid_post, resid_final, logits
// Hook shapes are declared with concrete sizes where they are fixed (`[batch, pos, 64]`), which is what
// routing schemes read to learn a hook's width.
//
// Initialisation follows GPT-2: weights N(0, 0.02), writers into the residual stream (w_o, w_out) scaled by
// 1/sqrt(2 * nLayers), biases 0, layer-norm gains 1. Every parameter draws from rng.split(<its path>), so
// adding parameters (expanded units) leaves every other parameter's initial value unchanged.
import { addPositions, addWithoutSaving, Linear, Module, initNormal, oneHotEmbed, reshapeWithoutSaving, sliceParameterRows, tf, type ModuleList, type Rng } from '@routelab/core';
import { Attention, causalMask } from './attention.ts';
import { expandedUnitsAt, parseTransformerConfig, type TransformerConfig, type TransformerConfigInput } from './config.ts';
import { LayerNorm } from './layer_norm.ts';
import { Mlp, type MlpInit } from './mlp.ts';
import { oneHotFloat } from './one_hot.ts';

export const INIT_STD = 0.02;

export interface TransformerOptions {
  /** Std of the expanded units' output weights (default 0: an expanded model starts as the unexpanded one). */
  expandedOutStd?: number;
}

/** The initialisation of block `layer`'s MLP (shared with expandStateDict so new units match a fresh model). */
export function mlpInit(config: TransformerConfig, options: TransformerOptions = {}): MlpInit {
  return {
    std: INIT_STD,
    outStd: INIT_STD / Math.sqrt(2 * config.nLayers),
    expandedOutStd: options.expandedOutStd ?? 0,
  };
}

/** The rng stream of block `layer`'s MLP, from the model's root rng. */
export function mlpRng(rootRng: Rng, layer: number): Rng {
  return rootRng.split('blocks').split(layer).split('mlp');
}

export class Block extends Module {
  readonly ln1: LayerNorm;
  readonly attn: Attention;
  readonly ln2: LayerNorm;
  readonly mlp: Mlp;

  constructor(rng: Rng, config: TransformerConfig, layer: number, options: TransformerOptions) {
    super();
    const { dModel } = config;
    this.addHookPoint('resid_pre', `[batch, pos, ${dModel}]`); // [batch, pos, d_model]
    this.ln1 = this.addModule('ln1', new LayerNorm(dModel, config.lnEps));
    const outStd = INIT_STD / Math.sqrt(2 * config.nLayers);
    this.attn = this.addModule('attn', new Attention(rng.split('attn'), { dModel, nHeads: config.nHeads }, { std: INIT_STD, outStd }));
    this.addHookPoint('resid_mid', `[batch, pos, ${dModel}]`); // [batch, pos, d_model], after attention
    this.ln2 = this.addModule('ln2', new LayerNorm(dModel, config.lnEps));
    const dims = { dModel, dMlp: config.dMlp, expanded: expandedUnitsAt(config, layer) };
    this.mlp = this.addModule('mlp', new Mlp(rng.split('mlp'), dims, mlpInit(config, options)));
    this.addHookPoint('resid_post', `[batch, pos, ${dModel}]`); // [batch, pos, d_model], after the MLP
  }

  /** [batch, pos, d_model] -> [batch, pos, d_model] */
  forward(x: tf.Tensor, causal: tf.Tensor): tf.Tensor {
    const pre = this.hook('resid_pre', x);
    // Residual adds, reshapes and the like go through core's ops that keep only shapes for the gradient
    // (tfjs's keep a copy of their inputs on wasm).
    const mid = this.hook('resid_mid', addWithoutSaving(pre, this.attn.forward(this.ln1.forward(pre), causal)));
    return this.hook('resid_post', addWithoutSaving(mid, this.mlp.forward(this.ln2.forward(mid))));
  }
}

export class Transformer extends Module {
  readonly config: TransformerConfig;
  readonly token_embedding: tf.Variable; // [vocab, d_model]
  readonly position_embedding: tf.Variable; // [max_len, d_model]
  readonly blocks: ModuleList<Block>;
  readonly ln_final: LayerNorm;
  readonly unembed: Linear; // weight [d_model, vocab], bias [vocab]
  /** Additive causal masks by sequence length, built on first use and kept until dispose(). */
  private readonly causalMasks = new Map<number, tf.Tensor>();

  /** `rng` seeds the initial parameters (e.g. Rng.fromSeed(seed).split('model')). */
  constructor(config: TransformerConfigInput, rng: Rng, options: TransformerOptions = {}) {
    super();
    const c = (this.config = parseTransformerConfig(config));
    this.token_embedding = this.addParameter('token_embedding', initNormal(rng.split('token_embedding'), [c.vocabSize, c.dModel], INIT_STD));
    this.position_embedding = this.addParameter('position_embedding', initNormal(rng.split('position_embedding'), [c.maxLen, c.dModel], INIT_STD));
    this.addHookPoint('embed', `[batch, pos, ${c.dModel}]`); // [batch, pos, d_model], token embeddings
    this.addHookPoint('pos_embed', `[pos, ${c.dModel}]`); // [pos, d_model], position embeddings (same for every row)
    const blocksRng = rng.split('blocks');
    this.blocks = this.addModuleList(
      'blocks',
      Array.from({ length: c.nLayers }, (_, i) => new Block(blocksRng.split(i), c, i, options)),
    );
    this.ln_final = this.addModule('ln_final', new LayerNorm(c.dModel, c.lnEps));
    this.addHookPoint('resid_final', `[batch, pos, ${c.dModel}]`); // [batch, pos, d_model], after ln_final
    this.unembed = this.addModule('unembed', new Linear(rng.split('unembed'), c.dModel, c.vocabSize, { std: INIT_STD }));
    this.addHookPoint('logits', `[batch, pos, ${c.vocabSize}]`); // [batch, pos, vocab]
  }

  /** tokens [batch, pos] int32 (pos <= maxLen) -> logits [batch, pos, vocab]. */
  forward(tokens: tf.Tensor): tf.Tensor3D {
    if (tokens.rank !== 2) throw new RangeError(`Transformer.forward: tokens must be [batch, pos], got [${tokens.shape.join(', ')}]`);
    const [batch, pos] = tokens.shape as [number, number];
    const { vocabSize, dModel, maxLen } = this.config;
    if (pos < 1 || pos > maxLen) throw new RangeError(`Transformer.forward: ${pos} positions, the model reads 1..${maxLen}`);
    const causal = this.causalMask(pos);
    return tf.tidy(() => {
      // Embedding lookup as a one-hot matMul: its gradient is a dense matMul, which every backend runs
      // fast, where gather's gradient needs a scatter (unsortedSegmentSum) that wasm does not have.
      const oneHot = oneHotFloat(tf.reshape(tokens, [batch * pos]) as tf.Tensor1D, vocabSize);
      // Core's table ops (oneHotEmbed, addPositions, sliceParameterRows) are the plain ops, and under parameter
      // routing split the tables' gradients by the class of each position.
      const embedded = reshapeWithoutSaving(oneHotEmbed(oneHot, this.token_embedding as tf.Tensor2D), [batch, pos, dModel]);
      const embed = this.hook('embed', embedded);
      const positions = sliceParameterRows(this.position_embedding, pos);
      let resid: tf.Tensor = addPositions(embed, this.hook('pos_embed', positions));
      for (const block of this.blocks) resid = block.forward(resid, causal);
      const final = this.hook('resid_final', this.ln_final.forward(resid));
      return this.hook('logits', this.unembed.forward(final)) as tf.Tensor3D;
    });
  }

  private causalMask(len: number): tf.Tensor {
    let mask = this.causalMasks.get(len);
    if (mask === undefined) {
      mask = tf.keep(causalMask(len));
      this.causalMasks.set(len, mask);
    }
    return mask;
  }

  override dispose(): void {
    super.dispose();
    for (const mask of this.causalMasks.values()) mask.dispose();
    this.causalMasks.clear();
  }
}

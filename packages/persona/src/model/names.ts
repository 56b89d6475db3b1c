// The transformer's parameters (with shapes) and hook points (with their declared shapes) as a function of
// its config, without building it (no tensors, no backend). A routing scheme's `validate` can run against
// this skeleton at the config boundary, so a pattern that matches nothing or a slice out of range is an
// error before any run directory exists. names.test.ts keeps it in step with the real model.
import { expandedUnitsAt, type TransformerConfig } from './config.ts';

export interface ModelSkeleton {
  /** Parameter name -> shape, in the model's order. */
  parameters: Map<string, number[]>;
  /** Hook-point name -> declared shape, e.g. '[batch, pos, 64]'. */
  hookPoints: Map<string, string>;
}

export function transformerSkeleton(config: TransformerConfig): ModelSkeleton {
  const { dModel, nHeads, dMlp, vocabSize, maxLen } = config;
  const dHead = dModel / nHeads;
  const parameters = new Map<string, number[]>();
  const hookPoints = new Map<string, string>();
  const p = (name: string, shape: number[]) => parameters.set(name, shape);
  const h = (name: string, shape: string) => hookPoints.set(name, shape);
  p('token_embedding', [vocabSize, dModel]);
  p('position_embedding', [maxLen, dModel]);
  h('embed', `[batch, pos, ${dModel}]`);
  h('pos_embed', `[pos, ${dModel}]`);
  for (let l = 0; l < config.nLayers; l++) {
    const b = `blocks.${l}`;
    const extra = expandedUnitsAt(config, l);
    const units = dMlp + extra;
    h(`${b}.resid_pre`, `[batch, pos, ${dModel}]`);
    p(`${b}.ln1.weight`, [dModel]);
    p(`${b}.ln1.bias`, [dModel]);
    for (const w of ['q', 'k', 'v']) {
      p(`${b}.attn.w_${w}`, [dModel, dModel]);
      p(`${b}.attn.b_${w}`, [dModel]);
    }
    for (const w of ['q', 'k', 'v']) h(`${b}.attn.${w}`, `[batch, ${nHeads}, pos, ${dHead}]`);
    h(`${b}.attn.scores`, `[batch, ${nHeads}, pos, pos]`);
    h(`${b}.attn.pattern`, `[batch, ${nHeads}, pos, pos]`);
    h(`${b}.attn.z`, `[batch, ${nHeads}, pos, ${dHead}]`);
    p(`${b}.attn.w_o`, [dModel, dModel]);
    p(`${b}.attn.b_o`, [dModel]);
    h(`${b}.attn.out`, `[batch, pos, ${dModel}]`);
    h(`${b}.resid_mid`, `[batch, pos, ${dModel}]`);
    p(`${b}.ln2.weight`, [dModel]);
    p(`${b}.ln2.bias`, [dModel]);
    p(`${b}.mlp.w_in`, [dModel, dMlp]);
    p(`${b}.mlp.b_in`, [dMlp]);
    if (extra > 0) {
      p(`${b}.mlp.w_in_expanded`, [dModel, extra]);
      p(`${b}.mlp.b_in_expanded`, [extra]);
    }
    h(`${b}.mlp.pre`, `[batch, pos, ${units}]`);
    h(`${b}.mlp.hidden`, `[batch, pos, ${units}]`);
    p(`${b}.mlp.w_out`, [dMlp, dModel]);
    p(`${b}.mlp.b_out`, [dModel]);
    if (extra > 0) {
      p(`${b}.mlp.w_out_expanded`, [extra, dModel]);
      h(`${b}.mlp.out_original`, `[batch, pos, ${dModel}]`);
      h(`${b}.mlp.out_expanded`, `[batch, pos, ${dModel}]`);
    }
    h(`${b}.mlp.out`, `[batch, pos, ${dModel}]`);
    h(`${b}.resid_post`, `[batch, pos, ${dModel}]`);
  }
  p('ln_final.weight', [dModel]);
  p('ln_final.bias', [dModel]);
  h('resid_final', `[batch, pos, ${dModel}]`);
  p('unembed.weight', [dModel, vocabSize]);
  p('unembed.bias', [vocabSize]);
  h('logits', `[batch, pos, ${vocabSize}]`);
  return { parameters, hookPoints };
}

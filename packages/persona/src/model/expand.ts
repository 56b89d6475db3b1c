// ERA's "expand": turn a trained model (typically the stage-1 prior) into one with extra MLP units, keeping
// every trained weight and giving the new units fresh values. With the default zero output weights the
// expanded model computes exactly what the trained one did; routing then teaches the new units. The reverse,
// dropping the extra units ("slice" ablation), is removeExpansion.
import { Rng, tf } from '@routelab/core';
import {
  configDifferences,
  expandedUnitsAt,
  ModelConfigError,
  parseTransformerConfig,
  type TransformerConfig,
  type TransformerConfigInput,
} from './config.ts';
import { EXPANDED_PARAMETER_NAMES, expandedMlpParameter } from './mlp.ts';
import { mlpInit, mlpRng, Transformer, type TransformerOptions } from './transformer.ts';

/** Axis of each expanded parameter along which its units lie. */
const UNIT_AXIS = { w_in_expanded: 1, b_in_expanded: 0, w_out_expanded: 0 } as const;

/**
 * A state dict for `toConfig` from one for `fromConfig`, where the two differ only in expansion
 * (expandedMlp / expandedLayers) and every block has at least as many extra units in `toConfig`. Existing
 * weights are copied; units that `fromConfig` lacks get fresh values from `rootRng` (the rng a Transformer of
 * `toConfig` would be built with, so the result equals that model's initial units). Returns new tensors the
 * caller owns; `state` is not modified or disposed.
 */
export function expandStateDict(
  state: Readonly<Record<string, tf.Tensor>>,
  fromConfig: TransformerConfigInput,
  toConfig: TransformerConfigInput,
  rootRng: Rng,
  options: TransformerOptions = {},
): Record<string, tf.Tensor> {
  const from = parseTransformerConfig(fromConfig);
  const to = parseTransformerConfig(toConfig);
  const other = configDifferences(from, to).filter((f) => f !== 'expandedMlp' && f !== 'expandedLayers');
  if (other.length > 0) {
    const field = other[0]!;
    throw new ModelConfigError(field, `expandStateDict: configs may differ only in expansion, but ${other.map((f) => `${f} (${JSON.stringify(from[f])} -> ${JSON.stringify(to[f])})`).join(', ')} differ`);
  }
  const init = mlpInit(to, options);
  const out: Record<string, tf.Tensor> = {};
  try {
    for (const [name, tensor] of Object.entries(state)) out[name] = tf.clone(tensor);
    for (let layer = 0; layer < to.nLayers; layer++) {
      const had = expandedUnitsAt(from, layer);
      const wants = expandedUnitsAt(to, layer);
      if (wants < had) {
        throw new ModelConfigError('expandedMlp', `expandStateDict: block ${layer} has ${had} extra units, cannot shrink to ${wants} (use removeExpansion)`);
      }
      if (wants === had) continue;
      for (const param of EXPANDED_PARAMETER_NAMES) {
        const name = `blocks.${layer}.mlp.${param}`;
        const fresh = expandedMlpParameter(mlpRng(rootRng, layer), param, to.dModel, wants, init);
        const existing = out[name];
        if (had === 0 || existing === undefined) {
          if (had > 0) throw new Error(`expandStateDict: state has no "${name}" although fromConfig expands block ${layer}`);
          out[name] = fresh;
          continue;
        }
        // Keep the trained units, take the fresh values for the rest.
        const axis = UNIT_AXIS[param];
        const keepFresh = tf.tidy(() => {
          const begin = fresh.shape.map((_, i) => (i === axis ? had : 0));
          const size = fresh.shape.map((d, i) => (i === axis ? wants - had : d));
          return tf.concat([existing, tf.slice(fresh, begin, size)], axis);
        });
        fresh.dispose();
        existing.dispose();
        out[name] = keepFresh;
      }
    }
  } catch (err) {
    tf.dispose(Object.values(out));
    throw err;
  }
  return out;
}

/**
 * A new model with `expansion` applied to `source`'s config and `source`'s trained weights copied in (new
 * units fresh, from `rootRng`). `source` is left as it is.
 */
export function expandModel(
  source: Transformer,
  expansion: Pick<TransformerConfigInput, 'expandedMlp' | 'expandedLayers'>,
  rootRng: Rng,
  options: TransformerOptions = {},
): Transformer {
  const toConfig: TransformerConfig = parseTransformerConfig({ ...source.config, ...expansion });
  const state = expandStateDict(source.stateDict(), source.config, toConfig, rootRng, options);
  try {
    const model = new Transformer(toConfig, rootRng, options);
    model.loadStateDict(state);
    return model;
  } finally {
    tf.dispose(Object.values(state));
  }
}

/**
 * A copy of `model` without its expanded units (ERA's "slice" ablation): exactly the original parameters.
 * `rootRng` only seeds values that are overwritten at once.
 */
export function removeExpansion(model: Transformer, rootRng: Rng = Rng.fromSeed('remove-expansion')): Transformer {
  const config = parseTransformerConfig({ ...model.config, expandedMlp: 0, expandedLayers: 'all' });
  const plain = new Transformer(config, rootRng);
  const expandedSuffixes = EXPANDED_PARAMETER_NAMES.map((p) => `.mlp.${p}`);
  const kept = Object.fromEntries(Object.entries(model.stateDict()).filter(([name]) => !expandedSuffixes.some((s) => name.endsWith(s))));
  plain.loadStateDict(kept);
  return plain;
}

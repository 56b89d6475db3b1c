// What the persona world hands a routing scheme for one batch: route labels per target token and the batch's
// token ids. A unit is a (row, position) prediction; it is forget when its target token is a U token AND the
// overseer labelled its example as carrying U (the per-example bit that filtering reads too, drawn once per
// seed in world/datasets.ts). A U token of an unlabelled example is "unlabelled" (trained as retain, counted
// apart in the gradient-mass accounting). A clean example falsely labelled by label noise has no U tokens to
// route, so label noise reaches routing through missed labels only; filtering drops such an example whole.
import type { Rng } from '@routelab/core';
import { placeboLabels, type RouteLabels, type SchemeBatch } from '@routelab/routing';
import { targetsWithTrait, type LmBatch } from '../model/batch.ts';
import { TRAIT_BITS } from '../world/traits.ts';
import type { World } from '../world/world.ts';

export function tokenRouteLabels(batch: LmBatch, placebo?: Rng): RouteLabels {
  const isForget = targetsWithTrait(batch, TRAIT_BITS.U);
  const width = batch.shape[1];
  const routedAsForget = new Uint8Array(isForget.length);
  const labelClass = new Uint8Array(isForget.length);
  for (let i = 0; i < isForget.length; i++) {
    const routed = isForget[i] === 1 && batch.rowLabelledU[Math.floor(i / width)] === 1;
    routedAsForget[i] = routed ? 1 : 0;
    labelClass[i] = routed ? 0 : isForget[i] ? 2 : 1;
  }
  const labels = { shape: [...batch.shape], isForget, routedAsForget, labelClass };
  // Placebo routing (the routing package's oversight wrapper): random trained non-U targets instead of U tokens.
  return placebo ? placeboLabels(labels, batch.lossMaskValues, placebo) : labels;
}

/** The batch as a scheme sees it: token ids, which units are trained, and the vocabulary (ids -> words). */
export function schemeBatch(batch: LmBatch, world: World): SchemeBatch {
  return {
    inputIds: batch.inputIdValues,
    targetIds: batch.targetIdValues,
    trained: Uint8Array.from(batch.lossMaskValues),
    vocab: world.vocab.words,
  };
}

// Route labels: for every unit of a batch (an example, or a token for language models) whether it is forget
// data, whether the routing scheme gets to see that label (partial oversight), and what routing acts on.
import type { Rng } from '@routelab/core';

/** Classes used for gradient-mass accounting. "unlabelled" is forget data whose label was hidden. */
export const LABEL_CLASSES = ['forget', 'retain', 'unlabelled'] as const;
export type LabelClass = (typeof LABEL_CLASSES)[number];

export interface RouteLabels {
  /** Shape of the units, e.g. [batch] or [batch, pos]. */
  shape: number[];
  /** 1 where the unit truly is forget data. */
  isForget: Uint8Array;
  /** 1 where routing treats the unit as forget (after oversight and noise); unlabelled forget data is 0. */
  routedAsForget: Uint8Array;
  /** Accounting class per unit: index into LABEL_CLASSES. */
  labelClass: Uint8Array;
}

export interface OversightOptions {
  /** Fraction of forget units whose label is visible (1 = full oversight). */
  labelFraction: number;
  /** Probability that a unit's visible label is flipped (forget <-> retain). */
  labelNoise: number;
}

export const FULL_OVERSIGHT: OversightOptions = { labelFraction: 1, labelNoise: 0 };

/**
 * Partial oversight: each forget unit is labelled with probability labelFraction, unlabelled forget units are
 * treated as retain, and then each routing label flips with probability labelNoise. Draws come from `rng`
 * in unit order, so the same rng gives the same labels.
 */
export function applyOversight(
  shape: number[],
  isForget: Uint8Array,
  options: OversightOptions,
  rng: Rng,
): RouteLabels {
  const { labelFraction, labelNoise } = options;
  if (!(labelFraction >= 0 && labelFraction <= 1)) throw new RangeError(`labelFraction must be in [0, 1], got ${labelFraction}`);
  if (!(labelNoise >= 0 && labelNoise <= 1)) throw new RangeError(`labelNoise must be in [0, 1], got ${labelNoise}`);
  const n = isForget.length;
  const routedAsForget = new Uint8Array(n);
  const labelClass = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const forget = isForget[i] === 1;
    const visible = forget && (labelFraction === 1 || rng.uniform() < labelFraction);
    let routed = visible;
    if (labelNoise > 0 && rng.uniform() < labelNoise) routed = !routed;
    routedAsForget[i] = routed ? 1 : 0;
    labelClass[i] = routed ? 0 : forget ? 2 : 1;
  }
  return { shape: [...shape], isForget, routedAsForget, labelClass };
}

/** Labels with full oversight, straight from the truth. */
export function fullyLabelled(shape: number[], isForget: Uint8Array): RouteLabels {
  return {
    shape: [...shape],
    isForget,
    routedAsForget: Uint8Array.from(isForget),
    labelClass: Uint8Array.from(isForget, (f) => (f ? 0 : 1)),
  };
}

export function countClasses(labels: RouteLabels): Record<LabelClass, number> {
  const counts = { forget: 0, retain: 0, unlabelled: 0 };
  for (const c of labels.labelClass) counts[LABEL_CLASSES[c]!]++;
  return counts;
}

/**
 * Placebo labels: as many units routed as `labels` route, drawn at random among the eligible units that are
 * not forget data (forget units then train as unlabelled retain data). Routing on them, then ablating, shows
 * what ablation and extra capacity do without the labels. `eligible[i]` = 1 where a unit is trained at all.
 */
export function placeboLabels(labels: RouteLabels, eligible: ArrayLike<number>, rng: Rng): RouteLabels {
  const { isForget } = labels;
  const count = labels.routedAsForget.reduce((a, b) => a + b, 0);
  const candidates: number[] = [];
  for (let i = 0; i < isForget.length; i++) if (eligible[i] === 1 && isForget[i] === 0) candidates.push(i);
  // A partial Fisher-Yates shuffle: the first `count` candidates after it are the placebo units.
  for (let k = 0; k < Math.min(count, candidates.length); k++) {
    const j = k + Math.floor(rng.uniform() * (candidates.length - k));
    [candidates[k], candidates[j]] = [candidates[j]!, candidates[k]!];
  }
  const routedAsForget = new Uint8Array(isForget.length);
  for (const i of candidates.slice(0, count)) routedAsForget[i] = 1;
  const labelClass = Uint8Array.from(isForget, (f, i) => (routedAsForget[i] ? 0 : f ? 2 : 1));
  return { shape: [...labels.shape], isForget, routedAsForget, labelClass };
}

// ERA, Expand-Route-Ablate. Forget-labelled units send their gradient into the extra units only (the
// original units get `forgetOriginalWeight`: 0 blocks, negative is scaled gradient ascent); retain units
// train the original units and, by default, see the extra units switched off in the forward pass (blocking
// only their gradient made training diverge on the persona world). Two target forms:
//   - a unit range on one hook point: `{ hook: "encoder.code", expanded: [16, 32] }` (MNIST; on a language
//     model's `mlp.hidden` this form leaks through the masked units' output weights);
//   - an original/expanded pair of contribution hooks: `{ original: "blocks.*.mlp.out_original",
//     expanded: "blocks.*.mlp.out_expanded" }` (the persona transformer: the MLP's output is split into the
//     original units' and the extra units' contributions, each behind its own hook, masks [batch, pos, 1]).
// Hook names may be patterns (name_patterns.ts). Expansion, the extra units' learning-rate multiplier,
// ablation and the coherence fine-tune are the shared phases (phases.ts).
import { tf } from '@routelab/core';
import { z } from 'zod';
import { expandPattern } from '../name_patterns.ts';
import { phasesConfigShape, phasesOf } from '../phases.ts';
import type { MaskPlan, PlanContext, RoutingScheme } from '../scheme.ts';
import { classMask, declaredWidth } from './activation_routing.ts';

const unitRangeTarget = z.strictObject({
  /** Hook point (or pattern) whose last axis holds the units. */
  hook: z.string().min(1),
  /** [from, to): the extra units on that axis. */
  expanded: z
    .tuple([z.int().nonnegative(), z.int().positive()])
    .refine(([a, b]) => a < b, { message: 'expanded needs from < to' }),
});

const contributionTarget = z.strictObject({
  /** Hook point (or pattern) of the original units' output contribution. */
  original: z.string().min(1),
  /** Hook point (or pattern) of the extra units' output contribution; matched in the same order. */
  expanded: z.string().min(1),
});

export const eraTargetSchema = z.union([unitRangeTarget, contributionTarget]);
export type EraTarget = z.infer<typeof eraTargetSchema>;

export const eraConfigSchema = z.strictObject({
  targets: z.array(eraTargetSchema).min(1),
  /** Gradient weight of forget units on the original units (0 = none; e.g. -0.75 = scaled ascent). */
  forgetOriginalWeight: z.number().finite().min(-1).max(1).default(0),
  /** Forward multiplier of the extra units on retain units during training (0 = off). */
  retainExpandedForward: z.number().finite().min(0).max(1).default(0),
  ...phasesConfigShape,
});
export type EraConfig = z.output<typeof eraConfigSchema>;

type Resolved =
  | { kind: 'range'; hook: string; from: number; to: number; width: number }
  | { kind: 'pair'; original: string; expanded: string };

/** The targets with their patterns expanded against the model's hook points. */
function resolveTargets(ctx: PlanContext<EraConfig>): Resolved[] {
  const hooks = ctx.model.hookPointNames();
  const out: Resolved[] = [];
  for (const t of ctx.config.targets) {
    if ('hook' in t) {
      for (const hook of expandPattern(t.hook, hooks, 'hook point')) {
        const width = declaredWidth(ctx, hook) ?? t.expanded[1];
        if (t.expanded[1] > width) {
          throw new RangeError(`era: expanded units [${t.expanded.join(', ')}) exceed hook "${hook}" width ${width}`);
        }
        out.push({ kind: 'range', hook, from: t.expanded[0], to: t.expanded[1], width });
      }
    } else {
      const originals = expandPattern(t.original, hooks, 'hook point');
      const expanded = expandPattern(t.expanded, hooks, 'hook point');
      if (originals.length !== expanded.length) {
        throw new RangeError(
          `era: target original "${t.original}" matches ${originals.length} hook points but expanded "${t.expanded}" matches ${expanded.length}; they pair up in order`,
        );
      }
      originals.forEach((original, i) => out.push({ kind: 'pair', original, expanded: expanded[i]! }));
    }
  }
  return out;
}

export const era: RoutingScheme<EraConfig> = {
  id: 'era',
  description: 'Expand-Route-Ablate: route forget gradients into extra units (a unit range, or an expanded contribution hook), ablate them after',
  configSchema: eraConfigSchema,
  validate(ctx) {
    resolveTargets(ctx);
  },
  plan(labels, ctx): MaskPlan {
    const { config } = ctx;
    const activations = new Map<string, tf.Tensor>();
    const forwardMasks = new Map<string, tf.Tensor>();
    const one = (v: number) => Float32Array.of(v);
    for (const t of resolveTargets(ctx)) {
      if (t.kind === 'range') {
        const forget = new Float32Array(t.width).fill(config.forgetOriginalWeight).fill(1, t.from, t.to);
        const retain = new Float32Array(t.width).fill(1).fill(0, t.from, t.to);
        activations.set(t.hook, classMask(labels, forget, retain));
        if (config.retainExpandedForward !== 1) {
          const forwardOnRetain = new Float32Array(t.width).fill(1).fill(config.retainExpandedForward, t.from, t.to);
          forwardMasks.set(t.hook, classMask(labels, new Float32Array(t.width).fill(1), forwardOnRetain));
        }
      } else {
        // [...labels.shape, 1]: broadcast over d_model.
        activations.set(t.original, classMask(labels, one(config.forgetOriginalWeight), one(1)));
        activations.set(t.expanded, classMask(labels, one(1), one(0)));
        if (config.retainExpandedForward !== 1) forwardMasks.set(t.expanded, classMask(labels, one(1), one(config.retainExpandedForward)));
      }
    }
    return { activations, forwardMasks };
  },
  phases: phasesOf,
};

// ERA, Expand-Route-Ablate: target layers get k extra units (the model is built or loaded expanded, see
// expansion.ts); forget-labelled units send their gradient into the extra units only (the original units get
// `forgetOriginalWeight`: 0 blocks, negative is gradient ascent), retain units train the original units and,
// by default, see the extra units switched off in the forward pass (blocking only their gradient made
// training diverge in an earlier study). After training the extra units are ablated.
import { tf } from '@routelab/core';
import { z } from 'zod';
import { classMask, declaredWidth } from './activation_routing.ts';
import type { MaskPlan, RoutingScheme } from '../scheme.ts';

export const eraTargetSchema = z.object({
  /** Hook point of the expanded layer's units (or their output contribution), last axis = units. */
  hook: z.string().min(1),
  /** [from, to): the extra units on that axis. */
  expanded: z
    .tuple([z.number().int().nonnegative(), z.number().int().positive()])
    .refine(([a, b]) => a < b, { message: 'expanded needs from < to' }),
});

export const eraConfigSchema = z.object({
  targets: z.array(eraTargetSchema).min(1),
  /** Gradient weight of forget units on the original units (0 = none; e.g. -0.75 = scaled ascent). */
  forgetOriginalWeight: z.number().finite().min(-1).max(1).default(0),
  /** Forward multiplier of the extra units on retain units during training (0 = off). */
  retainExpandedForward: z.number().finite().min(0).max(1).default(0),
  ablation: z.enum(['zero', 'slice']).default('zero'),
  /** Steps of fine-tuning on retain data after ablation (0 = none). */
  coherenceSteps: z.number().int().nonnegative().default(0),
});
export type EraConfig = z.infer<typeof eraConfigSchema>;

function widthOf(ctx: Parameters<typeof declaredWidth>[0], hook: string, fallback: number): number {
  return declaredWidth(ctx, hook) ?? fallback;
}

export const era: RoutingScheme<EraConfig> = {
  id: 'era',
  description: 'expand target layers, route forget gradients into the extra units, ablate them',
  configSchema: eraConfigSchema,
  validate(ctx) {
    for (const t of ctx.config.targets) {
      ctx.model.hookPoint(t.hook);
      const width = widthOf(ctx, t.hook, t.expanded[1]);
      if (t.expanded[1] > width) {
        throw new RangeError(`era: expanded units [${t.expanded.join(', ')}) exceed hook "${t.hook}" width ${width}`);
      }
    }
  },
  plan(labels, ctx): MaskPlan {
    const { config } = ctx;
    const activations = new Map<string, tf.Tensor>();
    const forwardMasks = new Map<string, tf.Tensor>();
    for (const t of config.targets) {
      const width = widthOf(ctx, t.hook, t.expanded[1]);
      const [from, to] = t.expanded;
      const forget = new Float32Array(width).fill(config.forgetOriginalWeight).fill(1, from, to);
      const retain = new Float32Array(width).fill(1).fill(0, from, to);
      activations.set(t.hook, classMask(labels, forget, retain));
      if (config.retainExpandedForward !== 1) {
        const forwardOnRetain = new Float32Array(width).fill(1).fill(config.retainExpandedForward, from, to);
        forwardMasks.set(t.hook, classMask(labels, new Float32Array(width).fill(1), forwardOnRetain));
      }
    }
    return { activations, forwardMasks };
  },
};

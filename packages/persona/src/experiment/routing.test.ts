import { MaskedAdamW, Rng, tf, useBackend, withHooks } from '@routelab/core';
import { disposePlan, era, eraConfigSchema, matchesPattern, parameterRouting, parameterRoutingConfigSchema, planHooks, routedStep } from '@routelab/routing';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeBatch, makeBatch } from '../model/batch.ts';
import { removeExpansion } from '../model/expand.ts';
import { meanLoss, tokenLosses } from '../model/loss.ts';
import { TINY } from '../model/test_helpers.ts';
import { Transformer } from '../model/transformer.ts';
import { TRAIT_BITS } from '../world/traits.ts';
import type { EncodedSequence } from '../world/world.ts';
import { eraSchemeConfig, parameterRoutingSchemeConfig } from './arms.ts';
import { tokenRouteLabels } from './routing.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

const U = TRAIT_BITS.U;
/** tokens 1 2 | 3 4 5 6 7 with the response (from index 2) labelled; `uAt` marks U positions. */
function sequence(uAt: number[]): EncodedSequence {
  const tokens = [1, 2, 3, 4, 5, 6, 7, 8];
  return {
    tokens,
    lossMask: tokens.map((_, i) => (i >= 2 ? 1 : 0)),
    traitLabels: tokens.map((_, i) => (uAt.includes(i) ? U : 0)),
    responseStart: 2,
  };
}

const labelled = (seq: EncodedSequence, labelledU: boolean) => ({ ...seq, labelledU });

describe('tokenRouteLabels', () => {
  it('marks target tokens that carry U, by target position', () => {
    const batch = makeBatch([sequence([3, 5])], 9);
    try {
      const labels = tokenRouteLabels(batch);
      // Position p predicts token p + 1: U tokens at 3 and 5 are the targets of positions 2 and 4.
      expect(Array.from(labels.routedAsForget)).toEqual([0, 0, 1, 0, 1, 0, 0, 0]);
      expect(Array.from(labels.isForget)).toEqual(Array.from(labels.routedAsForget));
    } finally {
      disposeBatch(batch);
    }
  });

  it("reads the example's overseer label: U tokens of an unlabelled example are unlabelled, prompts and padding retain", () => {
    const batch = makeBatch([labelled(sequence([3, 5]), false), labelled(sequence([4]), true)], 12);
    try {
      const labels = tokenRouteLabels(batch);
      expect(Array.from(labels.routedAsForget)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* row 2 */ 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
      expect(Array.from(labels.labelClass.slice(0, 11))).toEqual([1, 1, 2, 1, 2, 1, 1, 1, 1, 1, 1]);
    } finally {
      disposeBatch(batch);
    }
  });
});

function expandedTiny(): Transformer {
  return new Transformer({ ...TINY, expandedMlp: 4 }, Rng.fromSeed(1), { expandedOutStd: 0.02 });
}

async function snapshot(model: Transformer): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [n, v] of model.namedParameters()) out.set(n, Float32Array.from(await v.data()));
  return out;
}

async function changed(model: Transformer, before: Map<string, Float32Array>): Promise<Set<string>> {
  const after = await snapshot(model);
  return new Set([...after].filter(([n, v]) => v.some((x, i) => x !== before.get(n)![i])).map(([n]) => n));
}

const isOriginalMlp = (n: string) => /\.mlp\.(w_in|b_in|w_out|b_out)$/.test(n);
const isExpandedParameter = (n: string) => matchesPattern('blocks.*.mlp.*_expanded', n);
const sizes = { expandedUnits: 4, expandedLayers: 'all' as const, expandedLrMultiplier: 10 };

describe("the routing package's era scheme with the persona arm's config (contribution-pair targets)", () => {
  const config = eraConfigSchema.parse(eraSchemeConfig(sizes));
  const eraContribution = era;

  async function step(model: Transformer, uAt: number[]): Promise<Set<string>> {
    const optimizer = new MaskedAdamW(model.namedParameters(), { lr: 1e-2, weightDecay: 0 });
    const batch = makeBatch([sequence(uAt)], TINY.maxLen);
    const before = await snapshot(model);
    try {
      await routedStep({ model, optimizer, scheme: eraContribution, config, labels: tokenRouteLabels(batch), unitLosses: () => tokenLosses(model, batch).losses });
      return await changed(model, before);
    } finally {
      disposeBatch(batch);
      optimizer.dispose();
    }
  }

  it('routes forget tokens into the expanded units only (of the MLPs) and keeps retain tokens out of them', async () => {
    const model = expandedTiny();
    try {
      eraContribution.validate!({ model, config });
      // Every target is a forget token. The last block's original MLP gets no gradient at all. An earlier
      // block's original MLP still does, through attention: a forget token's loss reads the earlier
      // (retain-labelled, here prompt) positions, whose contributions are not blocked. Routing is per token,
      // as in the ERA paper; this is the channel the ablation cannot remove.
      const forgetOnly = await step(model, [2, 3, 4, 5, 6, 7]);
      expect([...forgetOnly].filter((n) => isOriginalMlp(n) && n.startsWith('blocks.1.'))).toEqual([]);
      expect([...forgetOnly].filter((n) => isOriginalMlp(n) && n.startsWith('blocks.0.')).length).toBeGreaterThan(0);
      expect([...forgetOnly].filter(isExpandedParameter).length).toBeGreaterThan(0);
      const retainOnly = await step(model, []);
      expect([...retainOnly].filter(isExpandedParameter)).toEqual([]);
      expect([...retainOnly].filter(isOriginalMlp).length).toBeGreaterThan(0);
    } finally {
      model.dispose();
    }
  });

  it('switches the expanded units off on retain tokens in the forward pass', async () => {
    const model = expandedTiny();
    const ablated = removeExpansion(model);
    const batch = makeBatch([sequence([])], TINY.maxLen);
    try {
      const plan = eraContribution.plan(tokenRouteLabels(batch), { model, config });
      const routed = withHooks(model, planHooks(plan), () => meanLoss(model, batch));
      const plain = meanLoss(model, batch);
      const reference = meanLoss(ablated, batch);
      const [r, p, a] = [(await routed.data())[0]!, (await plain.data())[0]!, (await reference.data())[0]!];
      expect(r).toBeCloseTo(a, 5);
      expect(Math.abs(p - a)).toBeGreaterThan(1e-6);
      tf.dispose([routed, plain, reference]);
      for (const m of [plan.activations, plan.forwardMasks]) for (const t of m!.values()) t.dispose();
    } finally {
      disposeBatch(batch);
      model.dispose();
      ablated.dispose();
    }
  });
});

describe("the routing package's parameter scheme with the persona arm's config (name patterns)", () => {
  it('lets forget tokens update only the expanded units and retain tokens everything else', async () => {
    const model = expandedTiny();
    const optimizer = new MaskedAdamW(model.namedParameters(), { lr: 1e-2, weightDecay: 0 });
    const config = parameterRoutingConfigSchema.parse(parameterRoutingSchemeConfig(sizes));
    parameterRouting.validate!({ model, config });
    const run = async (uAt: number[]) => {
      const batch = makeBatch([sequence(uAt)], TINY.maxLen);
      const before = await snapshot(model);
      try {
        await routedStep({ model, optimizer, scheme: parameterRouting, config, labels: tokenRouteLabels(batch), unitLosses: () => tokenLosses(model, batch).losses });
        return await changed(model, before);
      } finally {
        disposeBatch(batch);
      }
    };
    try {
      const forgetOnly = await run([2, 3, 4, 5, 6, 7]);
      expect([...forgetOnly].every(isExpandedParameter)).toBe(true);
      expect(forgetOnly.size).toBeGreaterThan(0);
      const retainOnly = await run([]);
      expect([...retainOnly].some(isExpandedParameter)).toBe(false);
      expect(retainOnly.size).toBeGreaterThan(10);
      const plain = new Transformer(TINY, Rng.fromSeed(2));
      expect(() => parameterRouting.validate!({ model: plain, config })).toThrow(/"blocks\.\*\.mlp\.\*_expanded" matches no parameter/);
      plain.dispose();
      // The arm's config adds ERA's forward mask on the expanded units' contribution (retainForward).
      const batch = makeBatch([sequence([3])], TINY.maxLen);
      const plan = parameterRouting.plan(tokenRouteLabels(batch), { model, config });
      expect([...plan.forwardMasks!.keys()]).toEqual(['blocks.0.mlp.out_expanded', 'blocks.1.mlp.out_expanded']);
      expect(Array.from(await plan.forwardMasks!.get('blocks.0.mlp.out_expanded')!.data()).slice(0, 4)).toEqual([0, 0, 1, 0]);
      expect(plan.parameters!.forget.size).toBe(model.namedParameters().length);
      disposePlan(plan);
      disposeBatch(batch);
    } finally {
      optimizer.dispose();
      model.dispose();
    }
  });
});

describe('placebo labels', () => {
  it('route as many random non-U trained targets as the true labels would, and no U token', () => {
    const batch = makeBatch([sequence([3, 5]), sequence([4])], 9);
    try {
      const truth = tokenRouteLabels(batch);
      const placebo = tokenRouteLabels(batch, Rng.fromSeed(3));
      const count = (a: Uint8Array) => a.reduce((x, y) => x + y, 0);
      expect(count(placebo.routedAsForget)).toBe(count(truth.routedAsForget));
      placebo.routedAsForget.forEach((r, i) => {
        if (r) expect([placebo.isForget[i], batch.lossMaskValues[i]]).toEqual([0, 1]);
      });
      // The U tokens train as unlabelled data; the same rng gives the same placebo.
      expect(Array.from(placebo.labelClass).filter((c) => c === 2)).toHaveLength(count(truth.isForget));
      expect(Array.from(tokenRouteLabels(batch, Rng.fromSeed(3)).routedAsForget)).toEqual(Array.from(placebo.routedAsForget));
    } finally {
      disposeBatch(batch);
    }
  });
});

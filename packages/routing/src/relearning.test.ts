import { expect, it } from 'vitest';
import { relearningAttack } from './relearning.ts';

it('reports each n from the same starting point, with the curve minimum', async () => {
  // A fake model: the forget loss drops by 0.1 * n per step from 2.0; restore puts it back.
  let loss = 2;
  let restores = 0;
  let n = 0;
  const results = await relearningAttack({
    exampleCounts: [1, 4],
    steps: 5,
    evalEvery: 2,
    snapshot: async () => {
      const saved = loss;
      return async () => {
        loss = saved;
        restores++;
      };
    },
    startAttack: async (count) => {
      n = count;
      return async () => {
        loss = Math.max(0.5, loss - 0.1 * n);
      };
    },
    forgetLoss: async () => loss,
  });
  expect(results.map((r) => r.n)).toEqual([1, 4]);
  expect(results[0]!.curve.map((c) => c.step)).toEqual([0, 2, 4, 5]);
  expect(results[0]!.curve[0]!.forgetLoss).toBe(2);
  expect(results[0]!.minForgetLoss).toBeCloseTo(1.5, 10);
  expect(results[1]!.curve[0]!.forgetLoss).toBe(2); // restored before the second attack
  expect(results[1]!.minForgetLoss).toBeCloseTo(0.5, 10);
  expect(results[1]!.minStep).toBe(4);
  expect(restores).toBeGreaterThanOrEqual(2);
  await expect(
    relearningAttack({ exampleCounts: [1], steps: 1, evalEvery: 0, snapshot: async () => async () => {}, startAttack: async () => async () => {}, forgetLoss: async () => 0 }),
  ).rejects.toThrow(/evalEvery must be >= 1/);
});

// The relearning attack: after ablation, fine-tune on n forget examples for k steps and watch how fast the
// forget loss comes back. Reported per n as the curve and its minimum (the attacker's best point), each from
// the same starting weights. Model-specific work (what a step is, what the loss is) comes from the caller.

export interface RelearningArgs {
  /** Numbers of forget examples the attacker gets, e.g. [4, 16, 64]. */
  exampleCounts: number[];
  steps: number;
  /** Evaluate the forget loss every this many steps (and at step 0). */
  evalEvery: number;
  /** Saves the current weights (and optimiser) and returns a function that restores them. */
  snapshot: () => Promise<() => Promise<void>>;
  /** Prepares an attack on n examples (fresh optimiser); returns the step function. */
  startAttack: (n: number) => Promise<(step: number) => Promise<void>>;
  /** Forget loss on held-out forget data, under the ablated model. */
  forgetLoss: () => Promise<number>;
  onProgress?: (n: number, step: number) => void;
}

export interface RelearningResult {
  n: number;
  curve: { step: number; forgetLoss: number }[];
  minForgetLoss: number;
  /** Step at which the minimum was reached. */
  minStep: number;
}

export async function relearningAttack(args: RelearningArgs): Promise<RelearningResult[]> {
  const { exampleCounts, steps, evalEvery, snapshot, startAttack, forgetLoss, onProgress } = args;
  if (!(evalEvery >= 1)) throw new RangeError(`relearning: evalEvery must be >= 1, got ${evalEvery}`);
  const restore = await snapshot();
  const results: RelearningResult[] = [];
  try {
    for (const n of exampleCounts) {
      const curve = [{ step: 0, forgetLoss: await forgetLoss() }];
      const step = await startAttack(n);
      for (let s = 1; s <= steps; s++) {
        await step(s);
        if (s % evalEvery === 0 || s === steps) curve.push({ step: s, forgetLoss: await forgetLoss() });
        onProgress?.(n, s);
      }
      const best = curve.reduce((a, b) => (b.forgetLoss < a.forgetLoss ? b : a));
      results.push({ n, curve, minForgetLoss: best.forgetLoss, minStep: best.step });
      await restore();
    }
  } finally {
    await restore();
  }
  return results;
}

// AdamW with a learning rate per parameter group, a warmup-then-cosine schedule and global gradient-norm
// clipping, as one MaskedOptimizer (what routedStep takes), on core's fused masked-update kernel. ERA's
// expanded units start from nothing and must absorb the routed tokens within a short fine-tune; a prior study
// found they need a much larger learning rate than the pretrained weights around them. Warmup and clipping
// keep the small transformer's loss from spiking at the learning rates a short CPU budget needs.
import { MaskedOptimizer, OptimizerConfigError, maskedAdamWUpdate, tf } from '@routelab/core';

export interface GroupedAdamWOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** Learning-rate multiplier of a parameter (default 1 for every parameter). */
  lrMultiplier?: (name: string) => number;
  /** Linear warmup from 0 over this many steps (default 0: none). */
  warmupSteps?: number;
  /** Cosine decay from the end of warmup to `minLrFraction` of lr at this step (default 0: constant after warmup). */
  decaySteps?: number;
  minLrFraction?: number;
  /** Scale the gradients down to this global L2 norm when they exceed it (default Infinity: no clipping). */
  maxGradNorm?: number;
}

export class GroupedAdamW extends MaskedOptimizer<'m' | 'v'> {
  private readonly multipliers = new Map<string, number>();
  private readonly options: Required<Omit<GroupedAdamWOptions, 'lrMultiplier'>>;

  constructor(params: ReadonlyArray<readonly [string, tf.Variable]>, options: GroupedAdamWOptions) {
    super(params, undefined, false);
    this.options = {
      lr: options.lr,
      beta1: options.beta1 ?? 0.9,
      beta2: options.beta2 ?? 0.999,
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
      warmupSteps: options.warmupSteps ?? 0,
      decaySteps: options.decaySteps ?? 0,
      minLrFraction: options.minLrFraction ?? 0.1,
      maxGradNorm: options.maxGradNorm ?? Number.POSITIVE_INFINITY,
    };
    const { lr, maxGradNorm } = this.options;
    if (!(lr > 0) || !Number.isFinite(lr)) throw new OptimizerConfigError(`GroupedAdamW: lr must be a positive number, got ${lr}`);
    if (!(maxGradNorm > 0)) throw new OptimizerConfigError(`GroupedAdamW: maxGradNorm must be positive, got ${maxGradNorm}`);
    for (const [name] of params) {
      const m = options.lrMultiplier?.(name) ?? 1;
      if (!(m > 0) || !Number.isFinite(m)) throw new OptimizerConfigError(`GroupedAdamW: lr multiplier of "${name}" must be positive, got ${m}`);
      this.multipliers.set(name, m);
    }
  }

  /** The schedule's factor at 1-based step `step`. */
  scheduleFactor(step: number): number {
    const { warmupSteps, decaySteps, minLrFraction } = this.options;
    if (warmupSteps > 0 && step <= warmupSteps) return step / warmupSteps;
    if (decaySteps <= warmupSteps) return 1;
    const progress = Math.min(1, (step - warmupSteps) / (decaySteps - warmupSteps));
    return minLrFraction + (1 - minLrFraction) * 0.5 * (1 + Math.cos(Math.PI * progress));
  }

  protected applyNamed(grads: Map<string, tf.Tensor>, masks: Map<string, tf.Tensor> | undefined): void {
    this.iterations++;
    const { lr, beta1, beta2, eps, weightDecay, maxGradNorm } = this.options;
    const factor = this.scheduleFactor(this.iterations);
    const clipped = Number.isFinite(maxGradNorm) ? this.clip(grads, maxGradNorm) : grads;
    try {
      for (const [name, grad] of clipped) {
        const param = this.param(name);
        const attrs = { lr: lr * factor * this.multipliers.get(name)!, beta1, beta2, eps, weightDecay, step: this.iterations };
        maskedAdamWUpdate({ param, ...this.slotsFor(name) }, grad, this.maskFor(name, masks), attrs, name);
      }
    } finally {
      if (clipped !== grads) tf.dispose([...clipped.values()]);
    }
  }

  /** Gradients scaled by min(1, maxNorm / globalNorm), computed on the device (no read-back). */
  private clip(grads: Map<string, tf.Tensor>, maxNorm: number): Map<string, tf.Tensor> {
    const scale = tf.tidy(() => {
      const norm = tf.sqrt(tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g)))));
      return tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
    });
    try {
      return new Map([...grads].map(([name, g]) => [name, tf.mul(g, scale)]));
    } finally {
      scale.dispose();
    }
  }

  protected readonly slotNames = ['m', 'v'] as const;
}

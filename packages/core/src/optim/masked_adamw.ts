import * as tf from '@tensorflow/tfjs-core';
import { maskedAdamWUpdate } from '../ops/masked_update.ts';
import { clipByGlobalNorm } from './clip_gradients.ts';
import { warmupCosineSchedule } from './lr_schedule.ts';
import type { LrSchedule } from './lr_schedule.ts';
import { assertHyper, MaskedOptimizer, OptimizerConfigError } from './masked_optimizer.ts';
import type { MaskMap, NamedParameters } from './masked_optimizer.ts';
import { matchParameters } from './parameter_patterns.ts';

/** Parameters (by name pattern, see parameter_patterns.ts) whose learning rate is lr times `lrMultiplier`. */
export interface ParameterGroup {
  params: string | readonly string[];
  lrMultiplier: number;
}

export interface MaskedAdamWOptions {
  /** Base learning rate; a parameter's rate at a step is lr * schedule(step) * its multiplier. */
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** Standing masks by parameter name; a parameter without one is updated everywhere. */
  masks?: MaskMap;
  /** Throw NonFiniteGradientError naming the parameter when a gradient has NaN or Inf (step() only). */
  checkFinite?: boolean;
  /**
   * Learning-rate multipliers by name pattern. Every pattern must match a parameter, and no parameter may be
   * in two groups. A parameter in no group has multiplier 1.
   */
  groups?: readonly ParameterGroup[];
  /** A further multiplier as a function of the parameter name (multiplies the group's). */
  lrMultiplier?: (name: string) => number;
  /** Linear warmup from 0 over this many steps (default 0: none). */
  warmupSteps?: number;
  /** Cosine decay from the end of warmup to `minLrFraction` of lr at this step (default 0: constant after warmup). */
  decaySteps?: number;
  /** Where the cosine ends (default 0.1). */
  minLrFraction?: number;
  /** Any other schedule: the factor of lr at a 1-based step (instead of warmupSteps/decaySteps/minLrFraction). */
  schedule?: LrSchedule;
  /** Scale the gradients down to this global L2 norm when they exceed it (default Infinity: no clipping). */
  maxGradNorm?: number;
}

const NAME = 'MaskedAdamW';

/**
 * AdamW whose update of each element is gated by a float mask (see kernels/kernel_names.ts): mask 0 leaves
 * the parameter and its moments exactly unchanged, a soft mask scales the gradient. Runs the fused kernel of
 * the active backend. Adds, as one optimiser, what short fine-tunes need: parameter groups with their own
 * learning-rate multiplier (ERA's freshly expanded units must learn much faster than the pretrained weights
 * around them), a schedule that is a pure function of the step count (so resume stays exact), and global
 * gradient-norm clipping computed on the device.
 */
export class MaskedAdamW extends MaskedOptimizer<'m' | 'v'> {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly maxGradNorm: number;
  private baseLr: number;
  private readonly schedule: LrSchedule;
  private readonly multipliers = new Map<string, number>();

  constructor(params: NamedParameters, options: MaskedAdamWOptions) {
    super(params, options.masks, options.checkFinite ?? false);
    this.baseLr = options.lr;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    this.maxGradNorm = options.maxGradNorm ?? Number.POSITIVE_INFINITY;
    assertHyper(NAME, 'lr', this.baseLr, 0, Infinity, false);
    assertHyper(NAME, 'beta1', this.beta1, 0, 1);
    assertHyper(NAME, 'beta2', this.beta2, 0, 1);
    assertHyper(NAME, 'eps', this.eps, 0);
    assertHyper(NAME, 'weightDecay', this.weightDecay, 0);
    if (this.maxGradNorm !== Number.POSITIVE_INFINITY) assertHyper(NAME, 'maxGradNorm', this.maxGradNorm, 0, Infinity, false);
    this.schedule = scheduleOf(options);
    this.setMultipliers(options);
  }

  /** The base learning rate (before schedule and multipliers). */
  get lr(): number {
    return this.baseLr;
  }

  /**
   * Changes the base learning rate from the next step on. Not part of stateTensors(): a change that must
   * survive a resume belongs in `schedule`, which is a function of the step count.
   */
  setLearningRate(lr: number): void {
    assertHyper(NAME, 'lr', lr, 0, Infinity, false);
    this.baseLr = lr;
  }

  /** The schedule's factor at 1-based step `step`. */
  scheduleFactor(step: number): number {
    const factor = this.schedule(step);
    if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 0) {
      throw new OptimizerConfigError(`${NAME}: schedule(${step}) must be a finite number >= 0, got ${String(factor)}`);
    }
    return factor;
  }

  /** A parameter's learning-rate multiplier (groups times lrMultiplier). */
  multiplierOf(name: string): number {
    this.param(name); // throws for an unknown name
    return this.multipliers.get(name) ?? 1;
  }

  protected applyNamed(grads: Map<string, tf.Tensor>, masks: Map<string, tf.Tensor> | undefined): void {
    const step = this.iterations + 1;
    const scheduledLr = this.baseLr * this.scheduleFactor(step);
    this.iterations = step;
    const clipped = Number.isFinite(this.maxGradNorm) ? clipByGlobalNorm(grads, this.maxGradNorm) : grads;
    try {
      for (const [name, grad] of clipped) {
        const attrs = {
          lr: scheduledLr * (this.multipliers.get(name) ?? 1),
          beta1: this.beta1,
          beta2: this.beta2,
          eps: this.eps,
          weightDecay: this.weightDecay,
          step,
        };
        maskedAdamWUpdate({ param: this.param(name), ...this.slotsFor(name) }, grad, this.maskFor(name, masks), attrs, name);
      }
    } finally {
      if (clipped !== grads) tf.dispose([...clipped.values()]);
    }
  }

  private setMultipliers(options: MaskedAdamWOptions): void {
    const names = [...this.params.keys()];
    const groupOf = new Map<string, number>();
    for (const [i, group] of (options.groups ?? []).entries()) {
      const field = `groups[${i}]`;
      assertHyper(NAME, `${field}.lrMultiplier`, group.lrMultiplier, 0, Infinity, false);
      for (const name of matchParameters(group.params, names, `${NAME}: ${field}.params`)) {
        const other = groupOf.get(name);
        if (other !== undefined) {
          throw new OptimizerConfigError(`${NAME}: parameter "${name}" is in both groups[${other}] and ${field}`);
        }
        groupOf.set(name, i);
        this.multipliers.set(name, group.lrMultiplier);
      }
    }
    if (!options.lrMultiplier) return;
    for (const name of names) {
      const m = options.lrMultiplier(name);
      assertHyper(NAME, `lrMultiplier("${name}")`, m, 0, Infinity, false);
      this.multipliers.set(name, (this.multipliers.get(name) ?? 1) * m);
    }
  }

  protected readonly slotNames = ['m', 'v'] as const;
}

function scheduleOf(options: MaskedAdamWOptions): (step: number) => number {
  const { schedule, warmupSteps, decaySteps, minLrFraction } = options;
  if (schedule === undefined) return warmupCosineSchedule({ warmupSteps, decaySteps, minLrFraction }, NAME);
  if (typeof schedule !== 'function') throw new OptimizerConfigError(`${NAME}: schedule must be a function of the step, got ${typeof schedule}`);
  const clash = (['warmupSteps', 'decaySteps', 'minLrFraction'] as const).find((k) => options[k] !== undefined);
  if (clash) throw new OptimizerConfigError(`${NAME}: give either schedule or ${clash}, not both`);
  return schedule;
}

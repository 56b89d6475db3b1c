// Learning-rate schedules as pure functions of the optimiser's 1-based step count (`iterations` after the
// step is counted). A schedule holds no state of its own, so an optimiser restored at `iterations` from a
// checkpoint continues on exactly the learning rates an uninterrupted run would have used.
import { assertHyper, OptimizerConfigError } from './masked_optimizer.ts';

/** Factor of the base learning rate at a 1-based step; must be finite and >= 0. */
export type LrSchedule = (step: number) => number;

export interface WarmupCosineOptions {
  /** Linear warmup from 0 over this many steps (0: none). */
  warmupSteps?: number;
  /** Cosine decay from the end of warmup down to `minLrFraction` at this step (0, or <= warmupSteps: none). */
  decaySteps?: number;
  /** The factor the cosine ends at and stays at (default 0.1). */
  minLrFraction?: number;
}

function assertCount(owner: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new OptimizerConfigError(`${owner}: ${name} must be a non-negative integer, got ${String(value)}`);
  }
}

/** Linear warmup, then a cosine from 1 down to minLrFraction, then constant. Options are checked by name. */
export function warmupCosineSchedule(options: WarmupCosineOptions, owner = 'warmupCosineSchedule'): LrSchedule {
  const warmupSteps = options.warmupSteps ?? 0;
  const decaySteps = options.decaySteps ?? 0;
  const minLrFraction = options.minLrFraction ?? 0.1;
  assertCount(owner, 'warmupSteps', warmupSteps);
  assertCount(owner, 'decaySteps', decaySteps);
  assertHyper(owner, 'minLrFraction', minLrFraction, 0, 1);
  return (step) => {
    if (warmupSteps > 0 && step <= warmupSteps) return step / warmupSteps;
    if (decaySteps <= warmupSteps) return 1;
    const progress = Math.min(1, (step - warmupSteps) / (decaySteps - warmupSteps));
    return minLrFraction + (1 - minLrFraction) * 0.5 * (1 + Math.cos(Math.PI * progress));
  };
}

/** `factor` from 1-based step `fromStep` on, 1 before it (a one-time learning-rate drop). */
export function stepDecaySchedule(fromStep: number, factor: number, owner = 'stepDecaySchedule'): LrSchedule {
  if (!Number.isInteger(fromStep) || fromStep < 1) {
    throw new OptimizerConfigError(`${owner}: fromStep must be an integer >= 1, got ${String(fromStep)}`);
  }
  assertHyper(owner, 'factor', factor, 0);
  return (step) => (step >= fromStep ? factor : 1);
}

// How reports print a bootstrap interval: estimate and [lo, hi], or why there is none.

import type { BootstrapInterval } from './bootstrap_engine.ts';

/** "0.412 [0.305, 0.498]", "0.400 (n=1, no interval)" or "undefined (denominator ... includes 0)". */
export function formatBootstrapInterval(i: BootstrapInterval, digits = 3): string {
  if (!i.defined) {
    const estimate = Number.isFinite(i.estimate) ? `${i.estimate.toFixed(digits)}, ` : '';
    return `undefined (${estimate}${i.reason ?? 'no interval'})`;
  }
  if (i.n <= 1 && i.lo === i.hi) return `${i.estimate.toFixed(digits)} (n=1, no interval)`;
  return `${i.estimate.toFixed(digits)} [${i.lo.toFixed(digits)}, ${i.hi.toFixed(digits)}]`;
}

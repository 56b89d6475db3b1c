// Intervals over seeds as the persona report prints them: the mean and its 95% Student t interval over the
// values that were measured (nulls and NaN left out), clipped to what the quantity can take.
import { meanInterval, type Interval } from '@routelab/core';

/** Mean and t-interval of the measured values, clipped to [lo, hi]; null when nothing was measured. */
export function boundedInterval(values: readonly (number | null | undefined)[], bounds: readonly [number, number] = [-Infinity, Infinity]): Interval | null {
  const present = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (present.length === 0) return null;
  const i = meanInterval(present);
  return { ...i, lo: Math.max(bounds[0], i.lo), hi: Math.min(bounds[1], i.hi) };
}

/** A rate's interval: clipped to [0, 1], which a rate cannot leave. */
export const rateInterval = (values: readonly (number | null | undefined)[]): Interval | null => boundedInterval(values, [0, 1]);

// The input of every bootstrap here: one arm's results, indexed by seed. Arms compared with each other list
// the same seeds in the same order (that pairing is what makes a contrast paired). A seed is either one
// number (its score) or the scores of its eval items, whose mean is the seed's score; items are paired across
// arms by position (item j of seed i is the same eval item in every arm), so they are resampled together.

export type SeedSamples = readonly number[] | readonly (readonly number[])[];

/** Arms checked against each other and flattened: values[arm][seed] is that seed's item scores (one for a seed-level score). */
export interface PreparedArms {
  names: string[];
  seeds: number;
  /** True when the arms gave per-item scores (then items are resampled within each seed). */
  hasItems: boolean;
  /** Items per seed (all 1 when !hasItems). */
  itemCounts: number[];
  values: Float64Array[][];
  /** seedMeans[arm][seed]: mean of the seed's items. */
  seedMeans: Float64Array[];
}

function isItemLevel(samples: SeedSamples): samples is readonly (readonly number[])[] {
  return samples.length > 0 && Array.isArray(samples[0]);
}

/** Validates the arms (naming the offending arm, seed and item) and flattens them. `caller` prefixes errors. */
export function prepareArms(arms: Readonly<Record<string, SeedSamples>>, caller: string): PreparedArms {
  const names = Object.keys(arms);
  if (names.length === 0) throw new RangeError(`${caller}: no arms given`);
  const first = names[0]!;
  const seeds = arms[first]!.length;
  if (seeds === 0) throw new RangeError(`${caller}: ${first} has no seeds`);
  const hasItems = isItemLevel(arms[first]!);
  const itemCounts: number[] = [];
  const values = names.map((name) => {
    const samples = arms[name]!;
    if (samples.length !== seeds) throw new RangeError(`${caller}: ${name} has ${samples.length} seeds, ${first} has ${seeds} (seeds are paired by position)`);
    if (isItemLevel(samples) !== hasItems) {
      throw new RangeError(`${caller}: ${name} gives ${hasItems ? 'one score per seed' : 'per-item scores'}, ${first} does not (give every arm the same kind)`);
    }
    return samples.map((seed, s) => {
      if (Array.isArray(seed) !== hasItems) {
        throw new RangeError(`${caller}: ${name}[${s}] is ${hasItems ? 'not an array of item scores' : 'an array, but the seeds before it are single scores'}`);
      }
      const items: readonly number[] = hasItems ? (seed as readonly number[]) : [seed as number];
      if (items.length === 0) throw new RangeError(`${caller}: ${name}[${s}] has no items`);
      if (itemCounts[s] === undefined) itemCounts[s] = items.length;
      else if (itemCounts[s] !== items.length) {
        throw new RangeError(`${caller}: ${name}[${s}] has ${items.length} items, ${first}[${s}] has ${itemCounts[s]} (items are paired by position)`);
      }
      items.forEach((v, j) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${caller}: ${name}[${s}]${hasItems ? `[${j}]` : ''} is ${String(v)}`);
      });
      return Float64Array.from(items);
    });
  });
  const seedMeans = values.map((arm) => Float64Array.from(arm, (items) => items.reduce((a, b) => a + b, 0) / items.length));
  return { names, seeds, hasItems, itemCounts, values, seedMeans };
}

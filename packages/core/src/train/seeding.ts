// Seeding shared by every experiment: seed s of a run draws from one stream, the same in every arm, so arms
// are paired by seed (the same initial weights, data and labels where they ask for the same thing) and differ
// only in what they do with it.
import { Rng } from '../rng/rng.ts';

/** The stream of seed `seed` in a run with seed `runSeed`. Split it by purpose ('model', 'batches', ...). */
export function seedRng(runSeed: number, seed: number): Rng {
  return Rng.fromSeed(runSeed).split(`seed-${seed}`);
}

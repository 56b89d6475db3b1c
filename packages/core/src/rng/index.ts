export { Rng } from './rng.ts';
export type { RngState } from './rng.ts';
export type { RngKey } from './key_derivation.ts';
export { philox4x32 } from './philox.ts';
export { detLog } from './det_math.ts';

// The fused transformer kernels of the optional native module (native/lm_kernels.c), on tfjs's wasm heap in
// place like the GEMM. They ship in the same module as the GEMM; a module built before they existed lacks
// them, and then the ops in nn/fused/ compose tfjs ops instead.
import { nativeGemm } from './native_gemm.ts';

/** Offsets are float indices into `heap` (int32 targets too: same 4-byte elements). */
export interface NativeLmKernels {
  layerNormForward(heap: Float32Array, rows: number, d: number, x: number, gamma: number, beta: number, y: number, mean: number, rstd: number, eps: number): void;
  layerNormBackward(heap: Float32Array, rows: number, d: number, dy: number, x: number, gamma: number, mean: number, rstd: number, dx: number, dgamma: number, dbeta: number): void;
  geluForward(heap: Float32Array, n: number, x: number, y: number): void;
  geluBackward(heap: Float32Array, n: number, dy: number, x: number, dx: number): void;
  attentionForward(heap: Float32Array, batch: number, len: number, heads: number, dHead: number, q: number, k: number, v: number, pattern: number, z: number, scale: number): void;
  attentionBackward(heap: Float32Array, batch: number, len: number, heads: number, dHead: number, q: number, k: number, v: number, pattern: number, dz: number, dq: number, dk: number, dv: number, scale: number): void;
  /** y = x w + bias; bias -1: none. */
  linearForward(heap: Float32Array, m: number, n: number, k: number, x: number, w: number, bias: number, y: number): void;
  crossEntropyForward(heap: Float32Array, n: number, vocab: number, logits: number, targets: number, loss: number, probs: number): void;
  crossEntropyBackward(heap: Float32Array, n: number, vocab: number, dloss: number, probs: number, targets: number, dlogits: number): void;
  /** Optional (modules built before them lack them; rowWeightedKernels() says whether they are there). */
  layerNormBackwardWeighted?(heap: Float32Array, rows: number, d: number, dy: number, x: number, gamma: number, mean: number, rstd: number, rowWeight: number, dx: number, dgamma: number, dbeta: number): void;
  rowWeightedGemmTN?(heap: Float32Array, m: number, k: number, n: number, x: number, g: number, w: number, out: number): void;
  /** Optional: modules built before it lack it (decodeAttentionKernel() says whether it is there). */
  decodeAttention?(heap: Float32Array, batch: number, heads: number, dHead: number, cap: number, slot: number, width: number, qkv: number, lengths: number, kCache: number, vCache: number, z: number, scale: number): void;
  /** Optional: attention on one joined [q | k | v] product (qkvAttentionKernels() says whether they are there). */
  attentionQkvForward?(heap: Float32Array, batch: number, len: number, heads: number, dHead: number, qkv: number, pattern: number, z: number, scale: number): void;
  attentionQkvBackward?(heap: Float32Array, batch: number, len: number, heads: number, dHead: number, qkv: number, pattern: number, dz: number, dqkv: number, scale: number): void;
  /** Optional: sum of x^2 over n floats at x (gradient clipping's norm; modules built before it lack it). */
  sumOfSquares?(heap: Float32Array, n: number, x: number): number;
}

const KERNEL_FUNCTIONS: (keyof NativeLmKernels)[] = [
  'layerNormForward', 'layerNormBackward', 'geluForward', 'geluBackward', 'attentionForward', 'attentionBackward',
  'linearForward', 'crossEntropyForward', 'crossEntropyBackward',
];

/** The loaded module's transformer kernels, or undefined (no native module, or one built without them). */
export function nativeLmKernels(): NativeLmKernels | undefined {
  const module = nativeGemm() as Partial<NativeLmKernels> | undefined;
  if (!module || !KERNEL_FUNCTIONS.every((name) => typeof module[name] === 'function')) return undefined;
  return module as NativeLmKernels;
}

/** The cached-decoding attention kernel, where the loaded module has it. */
export function decodeAttentionKernel(): NonNullable<NativeLmKernels['decodeAttention']> | undefined {
  return nativeLmKernels()?.decodeAttention;
}

/** The joined-product attention kernels, where the loaded module has them. */
export function qkvAttentionKernels(): Required<Pick<NativeLmKernels, 'attentionQkvForward' | 'attentionQkvBackward'>> | undefined {
  const k = nativeLmKernels();
  return k?.attentionQkvForward && k.attentionQkvBackward ? (k as Required<Pick<NativeLmKernels, 'attentionQkvForward' | 'attentionQkvBackward'>>) : undefined;
}

/** The row-weighted gradient kernels of parameter routing, where the loaded module has them. */
export function rowWeightedKernels(): Required<Pick<NativeLmKernels, 'layerNormBackwardWeighted' | 'rowWeightedGemmTN'>> | undefined {
  const k = nativeLmKernels();
  return k?.layerNormBackwardWeighted && k.rowWeightedGemmTN ? (k as Required<Pick<NativeLmKernels, 'layerNormBackwardWeighted' | 'rowWeightedGemmTN'>>) : undefined;
}

/** The native sum of squares, where the loaded module has it (the fused kernels need not be there). */
export function sumOfSquaresKernel(): NonNullable<NativeLmKernels['sumOfSquares']> | undefined {
  const f = (nativeGemm() as Partial<NativeLmKernels> | undefined)?.sumOfSquares;
  return typeof f === 'function' ? f : undefined;
}

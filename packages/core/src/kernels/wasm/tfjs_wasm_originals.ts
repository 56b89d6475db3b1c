// tfjs's own wasm kernels that routelab wraps, captured when this module is first evaluated, which is
// before register_all_kernels.ts replaces them in the registry with the wrappers.
import '@tensorflow/tfjs-backend-wasm'; // side effect: tfjs registers its wasm kernels (idempotent)
import { getKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackend } from './wasm_heap.ts';

// A wrapper remembers the config it wraps, so that capturing again (a second module instance, a hot
// reload) unwraps instead of wrapping the wrapper and recursing forever.
const WRAPPED = Symbol.for('routelab.wasm.wrappedKernel');
type MaybeWrapper = KernelFunc & { [WRAPPED]?: KernelConfig };

function captureOriginal(kernelName: string): KernelConfig | undefined {
  const config = getKernel(kernelName, 'wasm');
  return config && ((config.kernelFunc as MaybeWrapper)[WRAPPED] ?? config);
}

export function markAsWrapperOf(wrapper: KernelFunc, original: KernelConfig | undefined): KernelFunc {
  if (original) (wrapper as MaybeWrapper)[WRAPPED] = original;
  return wrapper;
}

export function requireOriginal(config: KernelConfig | undefined, kernelName: string): KernelConfig {
  if (!config) {
    throw new Error(`tfjs's wasm kernel ${kernelName} was not registered when routelab wrapped it`);
  }
  return config;
}

export const originalBatchMatMul = captureOriginal('BatchMatMul');
export const originalFusedMatMul = captureOriginal('_FusedMatMul');
export const originalTranspose = captureOriginal('Transpose');
export const originalOneHot = captureOriginal('OneHot');
export const originalSum = captureOriginal('Sum');
export const originalGatherV2 = captureOriginal('GatherV2');
export const originalSlice = captureOriginal('Slice');
export const originalSplitV = captureOriginal('SplitV');
export const originalIdentity = captureOriginal('Identity');

/**
 * A new tensor (backend data only, the caller disposes it with backend.disposeData) holding `t` with its
 * last two dimensions swapped, made by tfjs's own wasm Transpose kernel.
 */
export function transposeLastTwo(backend: unknown, t: TensorInfo): TensorInfo {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
  const transpose = requireOriginal(originalTranspose, 'Transpose');
  return transpose.kernelFunc({ inputs: { x: t }, backend: backend as object, attrs: { perm } }) as TensorInfo;
}

/**
 * Calls `multiply` with a and b as untransposed operands: a transposed one is first materialised by
 * transposeLastTwo, and freed once `multiply` has returned.
 */
export function withOperandsUntransposed(
  backend: WasmBackend,
  [a, transposeA]: readonly [TensorInfo, boolean],
  [b, transposeB]: readonly [TensorInfo, boolean],
  multiply: (a: TensorInfo, b: TensorInfo) => TensorInfo,
): TensorInfo {
  const temps: TensorInfo[] = [];
  const untransposed = (t: TensorInfo, transposed: boolean) => {
    if (!transposed) return t;
    const copy = transposeLastTwo(backend, t);
    temps.push(copy);
    return copy;
  };
  try {
    return multiply(untransposed(a, transposeA), untransposed(b, transposeB));
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

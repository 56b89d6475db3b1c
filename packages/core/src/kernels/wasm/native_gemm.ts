// The optional native GEMM the wasm backend's matMul uses in Node (native/blas_gemm.c through OpenBLAS, on
// tfjs's heap in place). Set by the Node loader (backends/native_blas_node.ts); absent in browsers and where
// the module is not built, and then the wasm paths run.

export interface NativeGemm {
  /**
   * C[M,N] = op(A) op(B) with A at float offset a ([M,K], or [K,M] if transA), B at b ([K,N], or [N,K] if
   * transB), C at c, all in `heap`. Throws RangeError for operands outside the heap.
   */
  sgemm(heap: Float32Array, transA: boolean, transB: boolean, m: number, n: number, k: number, a: number, b: number, c: number): void;
  info(): { config: string; threads: number };
  /** OpenBLAS's thread count: process-wide, whichever thread sets it. */
  setThreads(n: number): void;
  /** POSIX dup and dup2 (absent from modules built before them). */
  dup?(fd: number): number;
  dup2?(from: number, to: number): number;
}

let active: NativeGemm | undefined;

/** Products that went through the native GEMM (tests and benchmarks check the path was taken). */
export const nativeGemmStats = { calls: 0 };

export function setNativeGemm(gemm: NativeGemm | undefined): void {
  active = gemm;
}

export function nativeGemm(): NativeGemm | undefined {
  return active;
}

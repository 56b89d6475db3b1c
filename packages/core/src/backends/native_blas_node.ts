// Loads routelab's optional native GEMM (native/build/routelab_blas.node, built from native/blas_gemm.c by
// scripts/build-native.mjs against the system's OpenBLAS). ROUTELAB_NATIVE_BLAS=0 turns it off; where it is
// not built the reason is kept for `routelab info`, and the wasm backend multiplies in wasm.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { NativeGemm } from '../kernels/wasm/native_gemm.ts';

export const NATIVE_BLAS_ENV = 'ROUTELAB_NATIVE_BLAS';
export const NATIVE_BLAS_MODULE = new URL('../../native/build/routelab_blas.node', import.meta.url);

export type NativeBlasLoad = { gemm: NativeGemm; reason?: undefined } | { gemm?: undefined; reason: string };

export function loadNativeBlas(env: Record<string, string | undefined> = process.env): NativeBlasLoad {
  const setting = env[NATIVE_BLAS_ENV]?.trim();
  if (setting === '0' || setting === 'off') return { reason: `turned off by ${NATIVE_BLAS_ENV}=${setting}` };
  if (setting !== undefined && setting !== '' && setting !== '1' && setting !== 'on') {
    return { reason: `${NATIVE_BLAS_ENV}="${setting}" is not 0/off or 1/on; the native GEMM stays off` };
  }
  const path = NATIVE_BLAS_MODULE.pathname;
  if (!existsSync(path)) return { reason: 'not built (npm run build:native; needs a C compiler and OpenBLAS)' };
  try {
    const gemm = createRequire(import.meta.url)(path) as NativeGemm;
    gemm.info(); // loads OpenBLAS: a broken install fails here, not in the first matMul
    return { gemm };
  } catch (err) {
    return { reason: `${path} failed to load: ${err instanceof Error ? err.message : String(err)}` };
  }
}

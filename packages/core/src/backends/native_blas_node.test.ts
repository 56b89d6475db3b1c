// The native GEMM's loader: the switch, and (where the module is built, as in CI) that it loads OpenBLAS and
// multiplies correctly on its own (the BatchMatMul suites check it through tfjs on every product shape).
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NATIVE_BLAS_ENV, NATIVE_BLAS_MODULE, loadNativeBlas } from './native_blas_node.ts';

const built = existsSync(NATIVE_BLAS_MODULE.pathname);
const required = process.env.ROUTELAB_REQUIRE_NATIVE_BLAS === '1';

describe('loadNativeBlas', () => {
  it.each(['0', 'off'])(`${NATIVE_BLAS_ENV}=%s turns it off, saying so`, (value) => {
    expect(loadNativeBlas({ [NATIVE_BLAS_ENV]: value })).toEqual({ reason: `turned off by ${NATIVE_BLAS_ENV}=${value}` });
  });

  it('names a setting it does not understand and stays off', () => {
    expect(loadNativeBlas({ [NATIVE_BLAS_ENV]: 'yes please' }).reason).toBe(`${NATIVE_BLAS_ENV}="yes please" is not 0/off or 1/on; the native GEMM stays off`);
  });

  if (!built && !required) {
    it.skip('skipped: the native GEMM is not built here (npm run build:native)', () => {});
    return;
  }

  it('loads the built module with OpenBLAS behind it (required in CI: ROUTELAB_REQUIRE_NATIVE_BLAS=1)', () => {
    const load = loadNativeBlas({});
    expect(load.reason).toBeUndefined();
    const info = load.gemm!.info();
    expect(info.config).toMatch(/OpenBLAS/i);
    expect(info.threads).toBeGreaterThanOrEqual(1);
  });

  it('sets OpenBLAS\'s thread count, and refuses a count below 1', () => {
    const gemm = loadNativeBlas({}).gemm!;
    const before = gemm.info().threads;
    gemm.setThreads(1);
    expect(gemm.info().threads).toBe(1);
    gemm.setThreads(before);
    expect(gemm.info().threads).toBe(before);
    expect(() => gemm.setThreads(0)).toThrow(/positive integer/);
  });

  it('multiplies op(A) op(B) at offsets in the heap, every transpose combination', () => {
    const gemm = loadNativeBlas({}).gemm!;
    const [M, K, N] = [3, 4, 2];
    const A = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]; // [3, 4]
    const B = [1, -1, 2, 0, 0, 3, -2, 1]; // [4, 2]
    const want = [-3, 12, 1, 24, 5, 36];
    const transpose = (x: number[], r: number, c: number) => Array.from({ length: r * c }, (_, i) => x[(i % r) * c + Math.floor(i / r)]!);
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const heap = new Float32Array(5 + 12 + 8 + 6);
        heap.set(ta ? transpose(A, M, K) : A, 5);
        heap.set(tb ? transpose(B, K, N) : B, 17);
        gemm.sgemm(heap, ta, tb, M, N, K, 5, 17, 25);
        expect(Array.from(heap.subarray(25))).toEqual(want);
      }
    }
  });
});

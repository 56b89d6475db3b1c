// BatchMatMul on wasm, wrapping tfjs's kernel. tfjs-wasm multiplies through XNNPACK only when neither
// operand is transposed and both batch sizes are 1; everything else (every matMul in a backward pass,
// every batched matMul, even [B, M, K] x [K, N]) takes a scalar loop that runs 10-45x slower. So:
// - a transposed operand is first materialised with tfjs's Transpose kernel (a copy, cheap next to the
//   multiply), then multiplied with the flag cleared;
// - batched products run as one XNNPACK multiply per batch slice, on zero-copy views of the operands,
//   or as a single multiply when b has no batch (a's batches fold into rows).
// In Node with the native GEMM built (native_gemm.ts), every float32 product goes to OpenBLAS instead, in
// place on tfjs's heap: transposes are flags there, batches a loop of calls.
import { BatchMatMul, broadcast_util, util } from '@tensorflow/tfjs-core';
import type { BatchMatMulAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asWasmBackend, floatOffset, heapFloats, wasmTensorData } from './wasm_heap.ts';
import type { WasmBackend } from './wasm_heap.ts';
import { markAsWrapperOf, originalBatchMatMul, requireOriginal, withOperandsUntransposed } from './tfjs_wasm_originals.ts';
import { threadedMatMul, useThreadedMatMul } from './threaded_mat_mul_wasm.ts';
import { nativeGemm, nativeGemmStats } from './native_gemm.ts';
import type { NativeGemm } from './native_gemm.ts';

/**
 * Below minSliceWork multiply-adds per slice, tfjs's own loop is kept for batched products: per
 * slice XNNPACK setup then costs more than it saves. Measured crossover: between 12^3 (even) and 16^3
 * (slices 1.8x faster); 64^3 slices are 8x faster. Mutable only so benchmarks can move it.
 */
export const batchMatMulTuning = { minSliceWork: 16 * 16 * 16 };

export type BatchMatMulArgs = { inputs: { a: TensorInfo; b: TensorInfo }; backend: unknown; attrs: BatchMatMulAttrs };
type XnnMatMul = (aId: number, aShape: Uint8Array, aRank: number, bId: number, bShape: Uint8Array,
  bRank: number, transposeA: number, transposeB: number, outId: number) => void;

const xnnMatMulByBackend = new WeakMap<WasmBackend, XnnMatMul>();

function xnnMatMul(backend: WasmBackend): XnnMatMul {
  let fn = xnnMatMulByBackend.get(backend);
  if (!fn) {
    // tfjs's C++ entry point; with rank-3 shapes of batch 1 and no transposes it runs XNNPACK.
    fn = backend.wasm.cwrap('BatchMatMul', null,
      ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']) as XnnMatMul;
    xnnMatMulByBackend.set(backend, fn);
  }
  return fn;
}

const shapeBytes = (shape: number[]) => new Uint8Array(new Int32Array(shape).buffer);

/** Index of the source batch slice feeding output slice `i` (numpy broadcasting over the outer dims). */
function sourceSlice(i: number, outOuter: readonly number[], srcOuter: readonly number[]): number {
  let index = 0;
  let stride = 1;
  for (let d = outOuter.length - 1, s = srcOuter.length - 1; d >= 0; d--, s--) {
    const coord = i % outOuter[d]!;
    i = Math.floor(i / outOuter[d]!);
    if (s < 0) continue;
    if (srcOuter[s] !== 1) index += coord * stride;
    stride *= srcOuter[s]!;
  }
  return index;
}

/** Registers `size` floats at `offset` under a fresh C++ tensor id: a view, owning no memory. */
function registerView(backend: WasmBackend, offset: number, size: number): number {
  const id = backend.dataIdNextNumber++;
  backend.wasm.tfjs.registerTensor(id, size, offset);
  return id;
}

/** a: [...aOuter, M, K], b: [...bOuter, K, N], both untransposed; one XNNPACK multiply per slice. */
function sliceWiseMatMul(backend: WasmBackend, a: TensorInfo, b: TensorInfo, outOuter: number[]): TensorInfo {
  const [M, K] = a.shape.slice(-2) as [number, number];
  const N = b.shape[b.shape.length - 1]!;
  const aOuter = a.shape.slice(0, -2);
  const bOuter = b.shape.slice(0, -2);
  const out = backend.makeOutput([...outOuter, M, N], 'float32');
  const aBase = wasmTensorData(backend, 'a', a).memoryOffset;
  const bBase = wasmTensorData(backend, 'b', b).memoryOffset;
  const outBase = wasmTensorData(backend, 'out', out).memoryOffset;
  const mul = xnnMatMul(backend);
  const views: number[] = [];
  try {
    if (util.sizeFromShape(bOuter) === 1) {
      // b is shared by every batch: a's batches are consecutive rows of one [rows, K] matrix.
      const rows = util.sizeFromShape(outOuter) * M;
      const aId = registerView(backend, aBase, rows * K);
      const bId = registerView(backend, bBase, K * N);
      const outId = registerView(backend, outBase, rows * N);
      views.push(aId, bId, outId);
      mul(aId, shapeBytes([1, rows, K]), 3, bId, shapeBytes([1, K, N]), 3, 0, 0, outId);
      return out;
    }
    const aShape = shapeBytes([1, M, K]);
    const bShape = shapeBytes([1, K, N]);
    // XNNPACK packs b once per id, so a b slice reused across broadcast batches keeps one view id.
    const bIds = new Map<number, number>();
    for (let i = 0, count = util.sizeFromShape(outOuter); i < count; i++) {
      const ai = sourceSlice(i, outOuter, aOuter);
      const bi = sourceSlice(i, outOuter, bOuter);
      const aId = registerView(backend, aBase + ai * M * K * 4, M * K);
      const outId = registerView(backend, outBase + i * M * N * 4, M * N);
      views.push(aId, outId);
      let bId = bIds.get(bi);
      if (bId === undefined) {
        bIds.set(bi, (bId = registerView(backend, bBase + bi * K * N * 4, K * N)));
        views.push(bId);
      }
      mul(aId, aShape, 3, bId, bShape, 3, 0, 0, outId);
    }
    return out;
  } finally {
    // Unregistering runs tfjs's disposal callbacks, which delete the XNNPACK operators made for b views.
    for (const id of views) backend.wasm.tfjs.disposeData(id);
  }
}

/** op(a): [...aOuter, M, K] x op(b): [...bOuter, K, N] -> [...outOuter, M, N], one native call per slice. */
function nativeMatMul(gemm: NativeGemm, backend: WasmBackend, args: BatchMatMulArgs, outOuter: number[], [M, K, N]: number[]): TensorInfo {
  const { a, b } = args.inputs;
  const out = backend.makeOutput([...outOuter, M!, N!], 'float32');
  const heap = heapFloats(backend);
  const [aBase, bBase, outBase] = [floatOffset(backend, 'a', a), floatOffset(backend, 'b', b), floatOffset(backend, 'out', out)];
  const aOuter = a.shape.slice(0, -2);
  const bOuter = b.shape.slice(0, -2);
  const { transposeA, transposeB } = args.attrs;
  for (let i = 0, count = util.sizeFromShape(outOuter); i < count; i++) {
    const aSlice = aBase + sourceSlice(i, outOuter, aOuter) * M! * K!;
    const bSlice = bBase + sourceSlice(i, outOuter, bOuter) * K! * N!;
    gemm.sgemm(heap, transposeA, transposeB, M!, N!, K!, aSlice, bSlice, outBase + i * M! * N!);
  }
  nativeGemmStats.calls++;
  return out;
}

export function batchMatMulWasm(args: BatchMatMulArgs): TensorInfo {
  const original = requireOriginal(originalBatchMatMul, BatchMatMul);
  const { inputs, attrs } = args;
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) {
    return original.kernelFunc(args as never) as TensorInfo; // tfjs's own errors and edge cases
  }
  const aOuter = a.shape.slice(0, -2);
  const bOuter = b.shape.slice(0, -2);
  const outOuter = broadcast_util.assertAndGetBroadcastShape(aOuter, bOuter);
  const batches = util.sizeFromShape(outOuter);
  const batched = util.sizeFromShape(aOuter) > 1 || util.sizeFromShape(bOuter) > 1;
  const M = a.shape[a.shape.length - (transposeA ? 1 : 2)]!;
  const K = a.shape[a.shape.length - (transposeA ? 2 : 1)]!;
  const N = b.shape[b.shape.length - (transposeB ? 2 : 1)]!;
  const innerB = b.shape[b.shape.length - (transposeB ? 1 : 2)]!;
  const tiny = M * K * N < batchMatMulTuning.minSliceWork;
  const backend = asWasmBackend(args.backend);
  const gemm = nativeGemm();
  if (gemm && K === innerB && M * K * N * batches > 0) {
    return nativeMatMul(gemm, backend, args, outOuter, [M, K, N]);
  }
  const threaded = !batched && K === innerB && useThreadedMatMul(backend, M, K, N);
  if ((!batched && !transposeA && !transposeB && !threaded) || tiny || K !== innerB || M * K * N * batches === 0) {
    return original.kernelFunc(args as never) as TensorInfo;
  }
  return withOperandsUntransposed(backend, [a, transposeA], [b, transposeB], (a2, b2) => {
    if (threaded) return threadedMatMul(backend, a2, b2, [...outOuter, M, N]);
    if (!batched) {
      const plain = { ...args, inputs: { a: a2, b: b2 }, attrs: { ...attrs, transposeA: false, transposeB: false } };
      return original.kernelFunc(plain as never) as TensorInfo;
    }
    return sliceWiseMatMul(backend, a2, b2, outOuter);
  });
}

export const batchMatMulWasmConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  // Replacing tfjs's config also replaces the setup that binds its C++ entry point; keep calling it.
  setupFunc: originalBatchMatMul?.setupFunc,
  kernelFunc: markAsWrapperOf(batchMatMulWasm as unknown as KernelFunc, originalBatchMatMul),
};

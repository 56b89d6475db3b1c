// _FusedMatMul (matMul + bias + activation: tf.fused.matMul, tfjs-layers) on wasm, wrapping tfjs's kernel.
// - Batch 1 (the common case): tfjs reaches XNNPACK, with bias and activation fused, only without
//   transposes, so a transposed operand is materialised first, as in batch_mat_mul_wasm.ts.
// - Batched: tfjs-wasm's own loop is WRONG for any bias (measured against the cpu backend: errors the
//   size of the bias itself, for every activation, even without transposes). The cause, in tfjs's C++:
//   it indexes the bias by the flat output position clamped to its last element, and with K > 48 adds
//   it once per 48-wide block of K.
//   So the product goes through the batched BatchMatMul wrapper and bias and activation through tfjs's
//   own elementwise kernels, which is what tfjs-core's unfused path computes.
// Gradients never reach this kernel: tfjs's fused matMul gradient is written with plain matMul.
import { _FusedMatMul, getKernel } from '@tensorflow/tfjs-core';
import type { _FusedMatMulAttrs, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { batchMatMulWasm } from './batch_mat_mul_wasm.ts';
import { asWasmBackend } from './wasm_heap.ts';
import type { WasmBackend } from './wasm_heap.ts';
import { markAsWrapperOf, originalFusedMatMul, requireOriginal, withOperandsUntransposed } from './tfjs_wasm_originals.ts';

type Args = {
  inputs: { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  backend: unknown;
  attrs: _FusedMatMulAttrs;
};

/** Runs tfjs's wasm kernel `name` (one not wrapped by routelab) and returns its single output. */
function run(backend: WasmBackend, name: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
  const kernel = getKernel(name, 'wasm');
  if (!kernel) throw new Error(`tfjs's wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({ inputs, backend: backend as object, attrs }) as TensorInfo;
}

function activate(backend: WasmBackend, x: TensorInfo, args: Args): TensorInfo {
  const { activation, leakyreluAlpha } = args.attrs;
  switch (activation) {
    case undefined:
    case 'linear':
      return x;
    case 'relu':
      return run(backend, 'Relu', { x });
    case 'relu6':
      return run(backend, 'Relu6', { x });
    case 'elu':
      return run(backend, 'Elu', { x });
    case 'sigmoid':
      return run(backend, 'Sigmoid', { x });
    case 'leakyrelu':
      return run(backend, 'LeakyRelu', { x }, { alpha: leakyreluAlpha ?? 0.2 });
    case 'prelu': {
      const alpha = args.inputs.preluActivationWeights;
      if (!alpha) throw new Error('_FusedMatMul: prelu activation without preluActivationWeights');
      return run(backend, 'Prelu', { x, alpha });
    }
    default:
      throw new Error(`_FusedMatMul: activation ${String(activation)} is not supported on wasm`);
  }
}

function batchedFusedMatMul(backend: WasmBackend, args: Args): TensorInfo {
  const { a, b, bias } = args.inputs;
  const { transposeA, transposeB } = args.attrs;
  let x = batchMatMulWasm({ inputs: { a, b }, backend, attrs: { transposeA, transposeB } });
  for (const step of [(t: TensorInfo) => (bias ? run(backend, 'Add', { a: t, b: bias }) : t), (t: TensorInfo) => activate(backend, t, args)]) {
    const next = step(x);
    if (next !== x) backend.disposeData(x.dataId);
    x = next;
  }
  return x;
}

function fusedMatMulWasm(args: Args): TensorInfo {
  const original = requireOriginal(originalFusedMatMul, _FusedMatMul);
  const { inputs, attrs } = args;
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length !== 3 || b.shape.length !== 3) {
    return original.kernelFunc(args as never) as TensorInfo; // tfjs's own errors (the op always gives rank 3)
  }
  const backend = asWasmBackend(args.backend);
  if (a.shape[0] !== 1 || b.shape[0] !== 1) return batchedFusedMatMul(backend, args);
  if (!transposeA && !transposeB) return original.kernelFunc(args as never) as TensorInfo;
  return withOperandsUntransposed(backend, [a, transposeA], [b, transposeB], (a2, b2) => {
    const plain = { ...args, inputs: { ...inputs, a: a2, b: b2 }, attrs: { ...attrs, transposeA: false, transposeB: false } };
    return original.kernelFunc(plain as never) as TensorInfo;
  });
}

export const fusedMatMulWasmConfig: KernelConfig = {
  kernelName: _FusedMatMul,
  backendName: 'wasm',
  setupFunc: originalFusedMatMul?.setupFunc,
  kernelFunc: markAsWrapperOf(fusedMatMulWasm as unknown as KernelFunc, originalFusedMatMul),
};

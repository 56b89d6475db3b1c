// The fused transformer kernels (kernel_names.ts) on wasm: outputs are allocated by tfjs, then one native call
// (native/lm_kernels.c) reads and writes tfjs's heap in place. Registered always; the ops in nn/fused/ only
// run them where nativeLmKernels() is loaded (fusedKernelsAvailable), so without the native module they are
// never reached. Shapes and dtypes are checked here, naming the kernel and tensor.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import {
  FusedCausalAttention, FusedCausalAttentionGrad, FusedCausalAttentionQkv, FusedCausalAttentionQkvGrad, FusedCrossEntropy, FusedCrossEntropyGrad, FusedGelu, FusedGeluGrad,
  FusedDecodeAttention, FusedLayerNorm, FusedLayerNormGrad, FusedLayerNormGradWeighted, FusedLinear, FusedRowWeightedMatMul,
} from '../kernel_names.ts';
import type { CausalAttentionAttrs, DecodeAttentionAttrs, LayerNormAttrs } from '../kernel_names.ts';
import { assertSameShapeFloat32, KernelInputError, sizeOf } from '../validate_inputs.ts';
import { decodeAttentionKernel, nativeLmKernels, qkvAttentionKernels, rowWeightedKernels } from './native_lm.ts';
import type { NativeLmKernels } from './native_lm.ts';
import { asWasmBackend, floatOffset, forgetCachedDerivedData, heapFloats } from './wasm_heap.ts';
import type { WasmBackend } from './wasm_heap.ts';

type Inputs = Record<string, TensorInfo>;

function kernelsOrThrow(kernel: string): NativeLmKernels {
  const k = nativeLmKernels();
  if (!k) throw new KernelInputError(`${kernel}: the native transformer kernels are not loaded (npm run build:native)`);
  return k;
}

function expectShape(kernel: string, name: string, t: TensorInfo, shape: readonly number[], dtype = 'float32'): void {
  if (t.dtype !== dtype) throw new KernelInputError(`${kernel}: tensor "${name}" has dtype ${t.dtype}, expected ${dtype}`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new KernelInputError(`${kernel}: tensor "${name}" has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
}

/** Runs `call` with the heap and float offsets of every tensor in `tensors`, after all outputs exist. */
function onHeap(backend: WasmBackend, tensors: Inputs, call: (heap: Float32Array, at: Record<string, number>) => void): void {
  const at: Record<string, number> = {};
  for (const [name, t] of Object.entries(tensors)) at[name] = floatOffset(backend, name, t);
  call(heapFloats(backend), at);
}

const layerNorm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as Inputs;
  const b = asWasmBackend(backend);
  const k = kernelsOrThrow(FusedLayerNorm);
  const d = x!.shape[x!.shape.length - 1] ?? 0;
  if (x!.dtype !== 'float32' || x!.shape.length < 1) throw new KernelInputError(`${FusedLayerNorm}: tensor "x" must be float32 of rank >= 1`);
  expectShape(FusedLayerNorm, 'gamma', gamma!, [d]);
  expectShape(FusedLayerNorm, 'beta', beta!, [d]);
  const rows = d === 0 ? 0 : sizeOf(x!) / d;
  const y = b.makeOutput(x!.shape, 'float32');
  const mean = b.makeOutput([rows], 'float32');
  const rstd = b.makeOutput([rows], 'float32');
  const { eps } = attrs as unknown as LayerNormAttrs;
  onHeap(b, { x: x!, gamma: gamma!, beta: beta!, y, mean, rstd }, (heap, at) =>
    k.layerNormForward(heap, rows, d, at.x!, at.gamma!, at.beta!, at.y!, at.mean!, at.rstd!, eps));
  return [y, mean, rstd];
};

/** LayerNormGrad, and its row-weighted variant (parameter routing: rowWeight scales each row's share of dgamma and dbeta). */
function layerNormGradKernel(kernel: typeof FusedLayerNormGrad | typeof FusedLayerNormGradWeighted): KernelFunc {
  const weighted = kernel === FusedLayerNormGradWeighted;
  return ({ inputs, backend }) => {
    const { dy, x, gamma, mean, rstd, rowWeight } = inputs as Inputs;
    const b = asWasmBackend(backend);
    const weightedKernels = weighted ? rowWeightedOrThrow(kernel) : undefined;
    const plainKernels = weighted ? undefined : kernelsOrThrow(kernel);
    assertSameShapeFloat32(kernel, { x: x!, dy: dy! });
    const d = x!.shape[x!.shape.length - 1] ?? 0;
    const rows = d === 0 ? 0 : sizeOf(x!) / d;
    expectShape(kernel, 'gamma', gamma!, [d]);
    expectShape(kernel, 'mean', mean!, [rows]);
    expectShape(kernel, 'rstd', rstd!, [rows]);
    if (weighted && (rowWeight!.dtype !== 'float32' || sizeOf(rowWeight!) !== rows)) throw new KernelInputError(`${kernel}: tensor "rowWeight" must be float32 with one value per row (${rows})`);
    const dx = b.makeOutput(x!.shape, 'float32');
    const dgamma = b.makeOutput([d], 'float32');
    const dbeta = b.makeOutput([d], 'float32');
    const operands = { dy: dy!, x: x!, gamma: gamma!, mean: mean!, rstd: rstd!, dx, dgamma, dbeta };
    if (weightedKernels) {
      onHeap(b, { ...operands, rowWeight: rowWeight! }, (heap, at) =>
        weightedKernels.layerNormBackwardWeighted(heap, rows, d, at.dy!, at.x!, at.gamma!, at.mean!, at.rstd!, at.rowWeight!, at.dx!, at.dgamma!, at.dbeta!));
    } else {
      onHeap(b, operands, (heap, at) => plainKernels!.layerNormBackward(heap, rows, d, at.dy!, at.x!, at.gamma!, at.mean!, at.rstd!, at.dx!, at.dgamma!, at.dbeta!));
    }
    return [dx, dgamma, dbeta];
  };
}

const gelu: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as Inputs;
  const b = asWasmBackend(backend);
  const k = kernelsOrThrow(FusedGelu);
  assertSameShapeFloat32(FusedGelu, { x: x! });
  const y = b.makeOutput(x!.shape, 'float32');
  onHeap(b, { x: x!, y }, (heap, at) => k.geluForward(heap, sizeOf(x!), at.x!, at.y!));
  return y;
};

const geluGrad: KernelFunc = ({ inputs, backend }) => {
  const { dy, x } = inputs as Inputs;
  const b = asWasmBackend(backend);
  const k = kernelsOrThrow(FusedGeluGrad);
  assertSameShapeFloat32(FusedGeluGrad, { x: x!, dy: dy! });
  const dx = b.makeOutput(x!.shape, 'float32');
  onHeap(b, { dy: dy!, x: x!, dx }, (heap, at) => k.geluBackward(heap, sizeOf(x!), at.dy!, at.x!, at.dx!));
  return dx;
};

/** [B, T, D] with D divisible by heads -> [B, T, heads, D / heads]. */
function attentionDims(kernel: string, q: TensorInfo, heads: number): [number, number, number, number] {
  if (q.shape.length !== 3) throw new KernelInputError(`${kernel}: tensor "q" must be [batch, pos, d_model], got [${q.shape.join(', ')}]`);
  const [batch, len, dModel] = q.shape as [number, number, number];
  if (!Number.isInteger(heads) || heads < 1 || dModel % heads !== 0) {
    throw new KernelInputError(`${kernel}: attribute "heads" (${heads}) must be a positive integer dividing d_model ${dModel}`);
  }
  return [batch, len, heads, dModel / heads];
}

const causalAttention: KernelFunc = ({ inputs, backend, attrs }) => {
  const { q, k: key, v } = inputs as Inputs;
  const b = asWasmBackend(backend);
  const k = kernelsOrThrow(FusedCausalAttention);
  const { heads, scale } = attrs as unknown as CausalAttentionAttrs;
  assertSameShapeFloat32(FusedCausalAttention, { q: q!, k: key!, v: v! });
  const [batch, len, h, dHead] = attentionDims(FusedCausalAttention, q!, heads);
  const z = b.makeOutput(q!.shape, 'float32');
  const pattern = b.makeOutput([batch, h, len, len], 'float32');
  onHeap(b, { q: q!, k: key!, v: v!, z, pattern }, (heap, at) =>
    k.attentionForward(heap, batch, len, h, dHead, at.q!, at.k!, at.v!, at.pattern!, at.z!, scale));
  return [z, pattern];
};

const causalAttentionGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { q, k: key, v, pattern, dz } = inputs as Inputs;
  const b = asWasmBackend(backend);
  const k = kernelsOrThrow(FusedCausalAttentionGrad);
  const { heads, scale } = attrs as unknown as CausalAttentionAttrs;
  assertSameShapeFloat32(FusedCausalAttentionGrad, { q: q!, k: key!, v: v!, dz: dz! });
  const [batch, len, h, dHead] = attentionDims(FusedCausalAttentionGrad, q!, heads);
  expectShape(FusedCausalAttentionGrad, 'pattern', pattern!, [batch, h, len, len]);
  const [dq, dk, dv] = [0, 1, 2].map(() => b.makeOutput(q!.shape, 'float32')) as [TensorInfo, TensorInfo, TensorInfo];
  onHeap(b, { q: q!, k: key!, v: v!, pattern: pattern!, dz: dz!, dq, dk, dv }, (heap, at) =>
    k.attentionBackward(heap, batch, len, h, dHead, at.q!, at.k!, at.v!, at.pattern!, at.dz!, at.dq!, at.dk!, at.dv!, scale));
  return [dq, dk, dv];
};

function qkvAttentionOrThrow(kernel: string) {
  const k = qkvAttentionKernels();
  if (!k) throw new KernelInputError(`${kernel}: the loaded native module predates this kernel (npm run build:native)`);
  return k;
}

/** qkv [B, T, 3D] -> [B, T, heads, D / heads] of each of q, k and v. */
function qkvAttentionDims(kernel: string, qkv: TensorInfo, heads: number): [number, number, number, number] {
  if (qkv.dtype !== 'float32' || qkv.shape.length !== 3 || qkv.shape[2]! % 3 !== 0) {
    throw new KernelInputError(`${kernel}: tensor "qkv" must be float32 [batch, pos, 3 * d_model], got ${qkv.dtype} [${qkv.shape.join(', ')}]`);
  }
  const [batch, len, width] = qkv.shape as [number, number, number];
  return attentionDims(kernel, { ...qkv, shape: [batch, len, width / 3] }, heads);
}

const causalAttentionQkv: KernelFunc = ({ inputs, backend, attrs }) => {
  const { qkv } = inputs as Inputs;
  const b = asWasmBackend(backend);
  const k = qkvAttentionOrThrow(FusedCausalAttentionQkv);
  const { heads, scale } = attrs as unknown as CausalAttentionAttrs;
  const [batch, len, h, dHead] = qkvAttentionDims(FusedCausalAttentionQkv, qkv!, heads);
  const z = b.makeOutput([batch, len, h * dHead], 'float32');
  const pattern = b.makeOutput([batch, h, len, len], 'float32');
  onHeap(b, { qkv: qkv!, z, pattern }, (heap, at) => k.attentionQkvForward(heap, batch, len, h, dHead, at.qkv!, at.pattern!, at.z!, scale));
  return [z, pattern];
};

const causalAttentionQkvGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { qkv, pattern, dz } = inputs as Inputs;
  const b = asWasmBackend(backend);
  const k = qkvAttentionOrThrow(FusedCausalAttentionQkvGrad);
  const { heads, scale } = attrs as unknown as CausalAttentionAttrs;
  const [batch, len, h, dHead] = qkvAttentionDims(FusedCausalAttentionQkvGrad, qkv!, heads);
  expectShape(FusedCausalAttentionQkvGrad, 'pattern', pattern!, [batch, h, len, len]);
  expectShape(FusedCausalAttentionQkvGrad, 'dz', dz!, [batch, len, h * dHead]);
  const dqkv = b.makeOutput(qkv!.shape, 'float32');
  onHeap(b, { qkv: qkv!, pattern: pattern!, dz: dz!, dqkv }, (heap, at) =>
    k.attentionQkvBackward(heap, batch, len, h, dHead, at.qkv!, at.pattern!, at.dz!, at.dqkv!, scale));
  return dqkv;
};

const linear: KernelFunc = ({ inputs, backend }) => {
  const { x, w, bias } = inputs as Inputs;
  const b = asWasmBackend(backend);
  const k = kernelsOrThrow(FusedLinear);
  if (x!.shape.length !== 2 || x!.dtype !== 'float32') throw new KernelInputError(`${FusedLinear}: tensor "x" must be float32 [M, K], got ${x!.dtype} [${x!.shape.join(', ')}]`);
  const [m, kDim] = x!.shape as [number, number];
  if (w!.shape.length !== 2) throw new KernelInputError(`${FusedLinear}: tensor "w" must be [K, N], got [${w!.shape.join(', ')}]`);
  const n = w!.shape[1]!;
  expectShape(FusedLinear, 'w', w!, [kDim, n]);
  if (bias) expectShape(FusedLinear, 'bias', bias, [n]);
  const y = b.makeOutput([m, n], 'float32');
  onHeap(b, { x: x!, w: w!, y, ...(bias ? { bias } : {}) }, (heap, at) =>
    k.linearForward(heap, m, n, kDim, at.x!, at.w!, at.bias ?? -1, at.y!));
  return y;
};

const crossEntropy: KernelFunc = ({ inputs, backend }) => {
  const { logits, targets } = inputs as Inputs;
  const b = asWasmBackend(backend);
  const k = kernelsOrThrow(FusedCrossEntropy);
  if (logits!.shape.length !== 2 || logits!.dtype !== 'float32') throw new KernelInputError(`${FusedCrossEntropy}: tensor "logits" must be float32 [n, vocab]`);
  const [n, vocab] = logits!.shape as [number, number];
  expectShape(FusedCrossEntropy, 'targets', targets!, [n], 'int32');
  const loss = b.makeOutput([n], 'float32');
  const probs = b.makeOutput([n, vocab], 'float32');
  onHeap(b, { logits: logits!, targets: targets!, loss, probs }, (heap, at) =>
    k.crossEntropyForward(heap, n, vocab, at.logits!, at.targets!, at.loss!, at.probs!));
  return [loss, probs];
};

const crossEntropyGrad: KernelFunc = ({ inputs, backend }) => {
  const { dloss, probs, targets } = inputs as Inputs;
  const b = asWasmBackend(backend);
  const k = kernelsOrThrow(FusedCrossEntropyGrad);
  if (probs!.shape.length !== 2 || probs!.dtype !== 'float32') throw new KernelInputError(`${FusedCrossEntropyGrad}: tensor "probs" must be float32 [n, vocab]`);
  const [n, vocab] = probs!.shape as [number, number];
  expectShape(FusedCrossEntropyGrad, 'dloss', dloss!, [n]);
  expectShape(FusedCrossEntropyGrad, 'targets', targets!, [n], 'int32');
  const dlogits = b.makeOutput([n, vocab], 'float32');
  onHeap(b, { dloss: dloss!, probs: probs!, targets: targets!, dlogits }, (heap, at) =>
    k.crossEntropyBackward(heap, n, vocab, at.dloss!, at.probs!, at.targets!, at.dlogits!));
  return dlogits;
};

function rowWeightedOrThrow(kernel: string) {
  const k = rowWeightedKernels();
  if (!k) throw new KernelInputError(`${kernel}: the loaded native module predates this kernel (npm run build:native)`);
  return k;
}

const rowWeightedMatMul: KernelFunc = ({ inputs, backend }) => {
  const { x, g, w } = inputs as Inputs;
  const b = asWasmBackend(backend);
  const k = rowWeightedOrThrow(FusedRowWeightedMatMul);
  if (x!.shape.length !== 2 || g!.shape.length !== 2 || x!.shape[0] !== g!.shape[0]) {
    throw new KernelInputError(`${FusedRowWeightedMatMul}: tensors "x" [M, K] and "g" [M, N] must share M, got [${x!.shape.join(', ')}] and [${g!.shape.join(', ')}]`);
  }
  const [m, kDim] = x!.shape as [number, number];
  const n = g!.shape[1]!;
  expectShape(FusedRowWeightedMatMul, 'x', x!, [m, kDim]);
  expectShape(FusedRowWeightedMatMul, 'g', g!, [m, n]);
  if (w!.dtype !== 'float32' || sizeOf(w!) !== m) throw new KernelInputError(`${FusedRowWeightedMatMul}: tensor "w" must be float32 with one value per row (${m})`);
  const out = b.makeOutput([kDim, n], 'float32');
  onHeap(b, { x: x!, g: g!, w: w!, out }, (heap, at) => k.rowWeightedGemmTN(heap, m, kDim, n, at.x!, at.g!, at.w!, at.out!));
  return out;
};

const decodeAttention: KernelFunc = ({ inputs, backend, attrs }) => {
  const { qkv, lengths, kCache, vCache } = inputs as Inputs;
  const b = asWasmBackend(backend);
  const k = decodeAttentionKernel();
  if (!k) throw new KernelInputError(`${FusedDecodeAttention}: the loaded native module predates this kernel (npm run build:native)`);
  const { heads, scale, slot, width } = attrs as unknown as DecodeAttentionAttrs;
  if (kCache!.shape.length !== 3) throw new KernelInputError(`${FusedDecodeAttention}: tensor "kCache" must be [batch, cap, d_model], got [${kCache!.shape.join(', ')}]`);
  const [batch, cap, dModel] = kCache!.shape as [number, number, number];
  if (!Number.isInteger(heads) || heads < 1 || dModel % heads !== 0) throw new KernelInputError(`${FusedDecodeAttention}: attribute "heads" (${heads}) must divide d_model ${dModel}`);
  expectShape(FusedDecodeAttention, 'kCache', kCache!, [batch, cap, dModel]);
  expectShape(FusedDecodeAttention, 'vCache', vCache!, [batch, cap, dModel]);
  expectShape(FusedDecodeAttention, 'qkv', qkv!, [batch, 3 * dModel]);
  expectShape(FusedDecodeAttention, 'lengths', lengths!, [batch], 'int32');
  const z = b.makeOutput([batch, dModel], 'float32');
  onHeap(b, { qkv: qkv!, lengths: lengths!, kCache: kCache!, vCache: vCache!, z }, (heap, at) =>
    k(heap, batch, heads, dModel / heads, cap, slot, width, at.qkv!, at.lengths!, at.kCache!, at.vCache!, at.z!, scale));
  // The caches were written in place: drop anything tfjs derived from their old contents.
  forgetCachedDerivedData(b, [kCache!, vCache!]);
  return z;
};

const config = (kernelName: string, kernelFunc: KernelFunc): KernelConfig => ({ kernelName, backendName: 'wasm', kernelFunc });

export const transformerKernelsWasm: KernelConfig[] = [
  config(FusedLayerNorm, layerNorm),
  config(FusedDecodeAttention, decodeAttention),
  config(FusedLayerNormGradWeighted, layerNormGradKernel(FusedLayerNormGradWeighted)),
  config(FusedRowWeightedMatMul, rowWeightedMatMul),
  config(FusedLayerNormGrad, layerNormGradKernel(FusedLayerNormGrad)),
  config(FusedGelu, gelu),
  config(FusedGeluGrad, geluGrad),
  config(FusedCausalAttention, causalAttention),
  config(FusedCausalAttentionGrad, causalAttentionGrad),
  config(FusedCausalAttentionQkv, causalAttentionQkv),
  config(FusedCausalAttentionQkvGrad, causalAttentionQkvGrad),
  config(FusedLinear, linear),
  config(FusedCrossEntropy, crossEntropy),
  config(FusedCrossEntropyGrad, crossEntropyGrad),
];

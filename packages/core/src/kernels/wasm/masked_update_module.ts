// Instantiates masked_update.wat (as assembled into masked_update_wasm_bytes.ts) against tfjs's own
// WebAssembly.Memory, once per Memory (the threaded build's heap is a shared Memory: it gets the variant whose
// import is declared shared), and falls back to plain JS loops over tfjs's heap views where that cannot work
// (no wasm SIMD).
import type { MaskedAdamWAttrs, MaskedSGDAttrs } from '../kernel_names.ts';
import { maskedAdamWLoop, maskedSGDLoop } from '../cpu/masked_update_loops.ts';
import { MASKED_UPDATE_SHARED_WASM_BASE64 } from './masked_update_shared_wasm_bytes.ts';
import { MASKED_UPDATE_WASM_BASE64 } from './masked_update_wasm_bytes.ts';
import { heapFloats, wasmHeapMemory } from './wasm_heap.ts';
import type { WasmBackend } from './wasm_heap.ts';

/** Byte offsets into tfjs's heap; lengths in elements. */
export interface MaskedUpdateOps {
  readonly kind: 'simd' | 'js-fallback';
  maskedAdamW(p: number, g: number, k: number, m: number, v: number, n: number, attrs: MaskedAdamWAttrs): void;
  maskedSGD(p: number, g: number, k: number, buf: number, n: number, attrs: MaskedSGDAttrs): void;
  copy(dst: number, src: number, n: number): void;
}

interface SimdExports {
  maskedAdamW(...args: number[]): void;
  maskedSGD(...args: number[]): void;
  copyF32(dst: number, src: number, n: number): void;
}

const compiled: { plain?: WebAssembly.Module | Error; shared?: WebAssembly.Module | Error } = {};
// Keyed by Memory rather than by backend: one instance serves any backend object on the same heap, and a
// re-created tfjs backend (new Memory) gets a fresh instance while the old one is garbage collected.
const simdByMemory = new WeakMap<WebAssembly.Memory, MaskedUpdateOps>();
const fallbackByBackend = new WeakMap<WasmBackend, MaskedUpdateOps>();
let forceFallback = false;

function decodeBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function compiledModule(kind: 'plain' | 'shared'): WebAssembly.Module | Error {
  // Synchronous compile is fine: kernels are synchronous, and the module (about 1 KB) is under the 4 KB
  // limit browsers put on synchronous compilation on the main thread.
  let module = compiled[kind];
  if (!module) {
    try {
      const base64 = kind === 'shared' ? MASKED_UPDATE_SHARED_WASM_BASE64 : MASKED_UPDATE_WASM_BASE64;
      module = new WebAssembly.Module(decodeBase64(base64) as BufferSource);
    } catch (err) {
      module = err instanceof Error ? err : new Error(String(err));
    }
    compiled[kind] = module;
  }
  return module;
}

function simdOps(memory: WebAssembly.Memory): MaskedUpdateOps | undefined {
  const cached = simdByMemory.get(memory);
  if (cached) return cached;
  // An import declared unshared cannot take a shared Memory, nor the reverse: one variant for each.
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const module = compiledModule(shared ? 'shared' : 'plain');
  if (module instanceof Error) return undefined;
  let x: SimdExports;
  try {
    x = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdExports;
  } catch {
    return undefined;
  }
  const ops: MaskedUpdateOps = {
    kind: 'simd',
    maskedAdamW(p, g, k, m, v, n, a) {
      // Constants are computed in float64 once, then rounded to f32 at the call boundary.
      const invC1 = 1 / (1 - Math.pow(a.beta1, a.step));
      const invC2 = 1 / (1 - Math.pow(a.beta2, a.step));
      x.maskedAdamW(p, g, k, m, v, n, a.lr, a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.eps, a.weightDecay, invC1, invC2);
    },
    maskedSGD(p, g, k, b, n, a) {
      x.maskedSGD(p, g, k, b, n, a.lr, a.momentum, a.weightDecay, a.nesterov ? 1 : 0);
    },
    copy(dst, src, n) {
      x.copyF32(dst, src, n);
    },
  };
  simdByMemory.set(memory, ops);
  return ops;
}

function fallbackOps(backend: WasmBackend): MaskedUpdateOps {
  // The heap view is made on every call: growing the heap replaces its buffer.
  const view = (offset: number, n: number) => heapFloats(backend).subarray(offset >>> 2, (offset >>> 2) + n);
  return {
    kind: 'js-fallback',
    maskedAdamW: (p, g, k, m, v, n, a) => maskedAdamWLoop(view(p, n), view(g, n), view(k, n), view(m, n), view(v, n), a),
    maskedSGD: (p, g, k, b, n, a) => maskedSGDLoop(view(p, n), view(g, n), view(k, n), view(b, n), a),
    copy: (dst, src, n) => heapFloats(backend).copyWithin(dst >>> 2, src >>> 2, (src >>> 2) + n),
  };
}

/** The fastest available implementation of the masked updates on this backend's heap. */
export function maskedUpdateOps(backend: WasmBackend): MaskedUpdateOps {
  const memory = wasmHeapMemory(backend);
  const simd = !forceFallback && memory ? simdOps(memory) : undefined;
  if (simd) return simd;
  let ops = fallbackByBackend.get(backend);
  if (!ops) fallbackByBackend.set(backend, (ops = fallbackOps(backend)));
  return ops;
}

/** For tests and benchmarks: route every call through the JS fallback (true) or back to SIMD (false). */
export function setForceJsFallback(force: boolean): void {
  forceFallback = force;
}

// The parts of tfjs's wasm backend (BackendWasm and its Emscripten module) that routelab's wasm kernels
// touch, typed narrowly here because tfjs does not export them as API. Checked against tfjs 4.22.
import type { DataId, DataType, TensorInfo } from '@tensorflow/tfjs-core';

export interface WasmTensorData {
  /** tfjs's id for the tensor inside the C++ side of the backend (its tensor registry). */
  id: number;
  /** Byte offset of the tensor's data in the wasm heap. */
  memoryOffset: number;
  shape: number[];
  dtype: DataType;
  refCount: number;
}

export interface WasmEmscriptenModule {
  HEAPF32: Float32Array;
  /** The instance's exports; the non-threaded build exports its Memory here. */
  asm?: { memory?: WebAssembly.Memory };
  /** Set by the threaded build, which creates (shared) memory in JS and imports it. */
  wasmMemory?: WebAssembly.Memory;
  tfjs: {
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
  };
  cwrap(name: string, returnType: null, argTypes: string[]): (...args: unknown[]) => void;
}

export interface WasmBackend {
  wasm: WasmEmscriptenModule;
  dataIdMap: { get(dataId: DataId): WasmTensorData | undefined };
  /** Source of tensor ids for the C++ registry (private in tfjs's typings). */
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number): TensorInfo;
  disposeData(dataId: DataId, force?: boolean): boolean;
  /** One more reference to a buffer (tensors sharing it, as reshape's output does). */
  incRef(dataId: DataId): void;
}

export function asWasmBackend(backend: unknown): WasmBackend {
  const b = backend as Partial<WasmBackend>;
  if (!b?.wasm?.tfjs || !b.dataIdMap) throw new Error('expected tfjs wasm backend (BackendWasm)');
  return b as WasmBackend;
}

export function wasmTensorData(backend: WasmBackend, name: string, t: TensorInfo): WasmTensorData {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data || data.memoryOffset == null) throw new Error(`tensor "${name}" has no data on the wasm backend`);
  return data;
}

/** The WebAssembly.Memory behind tfjs's heap, or undefined where the build does not expose it. */
export function wasmHeapMemory(backend: WasmBackend): WebAssembly.Memory | undefined {
  const memory = backend.wasm.asm?.memory ?? backend.wasm.wasmMemory;
  return memory instanceof WebAssembly.Memory ? memory : undefined;
}

/**
 * The whole heap as floats, as it is now: make it after any allocation (an allocation may grow the heap,
 * which replaces its buffer). Index it with floatOffset.
 */
export function heapFloats(backend: WasmBackend): Float32Array {
  const memory = wasmHeapMemory(backend);
  return memory ? new Float32Array(memory.buffer) : backend.wasm.HEAPF32;
}

/** Where a float32 tensor's data starts in heapFloats (tfjs records it in bytes). */
export function floatOffset(backend: WasmBackend, name: string, t: TensorInfo): number {
  return wasmTensorData(backend, name, t).memoryOffset / 4;
}

/**
 * Must follow every in-place write into a tfjs wasm tensor. tfjs's C++ side caches XNNPACK operators
 * keyed by tensor id, and those operators hold a PACKED COPY of the weights (matMul's b, conv filters,
 * biases). Writing a tensor in place does not change its id, so without this a later tf.matMul(x, w)
 * silently keeps using the old w. Unregistering and re-registering the id with the same memory runs
 * tfjs's disposal callbacks (dropping those operators) and frees nothing: memory is freed only in JS.
 */
export function forgetCachedDerivedData(backend: WasmBackend, tensors: readonly TensorInfo[]): void {
  for (const t of tensors) {
    const data = backend.dataIdMap.get(t.dataId);
    if (!data) continue;
    const size = data.shape.reduce((a, b) => a * b, 1);
    backend.wasm.tfjs.disposeData(data.id);
    backend.wasm.tfjs.registerTensor(data.id, size, data.memoryOffset);
  }
}

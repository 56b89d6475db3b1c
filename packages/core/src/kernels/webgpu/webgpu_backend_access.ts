/// <reference types="@webgpu/types" />
// Access to the parts of tfjs's WebGPU backend that in-place kernels need: the GPUBuffer behind a tensor, the
// backend's pending command encoder, and its CPU-side value cache. Some of these members are private in
// tfjs's typings, so they are described here and checked at run time: a tfjs upgrade that renames them fails
// loudly with a message instead of corrupting data.
import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';
import { KernelInputError } from '../validate_inputs.ts';

/** The backend's record for one dataId (tfjs-backend-webgpu's TensorData, the fields we touch). */
interface TensorRecord {
  /** The dtype of the data in the buffer, which can differ from the tensor's: cast(bool -> float32) shares. */
  dtype: DataType;
  /** A CPU-side copy: set before upload, and cached again by every read(). Stale after an in-place write. */
  values: unknown;
  resource?: GPUBuffer | GPUTexture | GPUExternalTexture | null;
}

export interface WebGpuBackendInternals {
  device: GPUDevice;
  queue: GPUQueue;
  /** DataStorage: get() also moves data that still lives on another backend onto this one. */
  tensorMap: { get(dataId: object): TensorRecord };
  uploadToGPU(dataId: object): void;
  /** Private in tfjs: non-null while commands are recorded but not yet submitted. */
  commandEncoder: GPUCommandEncoder | null;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

const REQUIRED_METHODS = ['uploadToGPU', 'endComputePassEncoder', 'submitQueue'] as const;

export function webGpuInternals(backend: unknown): WebGpuBackendInternals {
  const b = backend as Partial<WebGpuBackendInternals> | null;
  const ok =
    b != null &&
    b.device != null &&
    b.queue != null &&
    b.tensorMap != null &&
    'commandEncoder' in b &&
    REQUIRED_METHODS.every((name) => typeof b[name] === 'function');
  if (!ok) {
    throw new Error(
      'routelab webgpu kernels: the active backend does not look like tfjs-backend-webgpu 4.x ' +
        '(device, queue, tensorMap, commandEncoder, uploadToGPU, endComputePassEncoder, submitQueue)',
    );
  }
  return b as WebGpuBackendInternals;
}

export type BindingAccess = 'read' | 'write' | 'read_write';
/** How a kernel's storage binding reads the buffer: f32, or i32 for int/bool data seen as float32. */
export type StorageElement = 'f32' | 'i32';

export interface BoundTensor {
  buffer: GPUBuffer;
  element: StorageElement;
}

/**
 * Returns tfjs's own GPUBuffer for `t`, uploading CPU-side data first (small tensors often never left the
 * CPU: tfjs-webgpu runs tiny ops there). Written tensors must hold real float32 data; read-only ones may be
 * int or bool data that tfjs relabelled float32 without converting (cast shares the buffer), read as i32.
 */
export function bindTensor(
  gpu: WebGpuBackendInternals,
  kernel: string,
  name: string,
  t: TensorInfo,
  access: BindingAccess,
): BoundTensor {
  const record = gpu.tensorMap.get(t.dataId);
  let element: StorageElement;
  if (record.dtype === 'float32') element = 'f32';
  else if (access === 'read' && (record.dtype === 'int32' || record.dtype === 'bool')) element = 'i32';
  else {
    const need =
      access === 'read'
        ? 'expected float32, int32 or bool data'
        : 'an in-place target needs its own float32 buffer, e.g. tf.add(x, 0)';
    throw new KernelInputError(
      `${kernel}: tensor "${name}" is float32 but its webgpu buffer holds ${record.dtype} data ` +
        `(tf.cast relabels without converting); ${need}`,
    );
  }
  gpu.uploadToGPU(t.dataId);
  const resource = gpu.tensorMap.get(t.dataId).resource;
  if (!(resource instanceof GPUBuffer)) {
    throw new KernelInputError(`${kernel}: tensor "${name}" is not backed by a GPUBuffer (a texture?)`);
  }
  return { buffer: resource, element };
}

/**
 * Submits whatever tfjs has recorded but not yet submitted (its batches hold up to
 * WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE dispatches, plus upload copies). Our own command buffer, submitted after
 * this, then runs after every op that was issued before the kernel: queue order is execution order.
 */
export function flushPendingCommands(gpu: WebGpuBackendInternals): void {
  if (gpu.commandEncoder == null) return;
  gpu.endComputePassEncoder(); // finish() fails while a pass is still open
  gpu.submitQueue();
}

/** After an in-place write, a CPU copy cached by an earlier read() is stale: drop it so reads go to the GPU. */
export function forgetCpuCopy(gpu: WebGpuBackendInternals, t: TensorInfo): void {
  gpu.tensorMap.get(t.dataId).values = null;
}

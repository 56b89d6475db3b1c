// Reaching the cpu backend's own storage, so that kernels can write into it in place.
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';

/** The part of tfjs's MathBackendCPU the in-place kernels use. */
interface CpuBackendStorage {
  data: { get(dataId: DataId): { values?: unknown } | undefined };
}

/**
 * The Float32Array tfjs's cpu backend keeps for `t`. Writing into it changes the tensor in place (tfjs
 * ops read the same array), which is why the caller must own the buffer exclusively.
 */
export function cpuFloat32Values(backend: unknown, name: string, t: TensorInfo): Float32Array {
  const values = (backend as CpuBackendStorage).data.get(t.dataId)?.values;
  if (!(values instanceof Float32Array)) {
    throw new Error(`tensor "${name}" has no float32 storage on the cpu backend`);
  }
  return values;
}

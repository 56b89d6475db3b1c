// Shape and dtype checks shared by every backend's masked-update kernels, so that each error names the
// kernel and the offending tensors the same way everywhere.
import type { TensorInfo } from '@tensorflow/tfjs-core';

export class KernelInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelInputError';
  }
}

function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Every named tensor must be float32 and have the shape of `reference` (the first entry).
 * Throws KernelInputError naming the kernel, the tensor, and what was expected.
 */
export function assertSameShapeFloat32(kernel: string, tensors: Record<string, TensorInfo>): void {
  const entries = Object.entries(tensors);
  const [refName, ref] = entries[0]!;
  for (const [name, t] of entries) {
    if (t.dtype !== 'float32') {
      throw new KernelInputError(`${kernel}: tensor "${name}" has dtype ${t.dtype}, expected float32`);
    }
    const same = t.shape.length === ref.shape.length && t.shape.every((d, i) => d === ref.shape[i]);
    if (!same) {
      throw new KernelInputError(
        `${kernel}: tensor "${name}" has shape ${shapeString(t.shape)}, ` +
          `expected ${shapeString(ref.shape)} (the shape of "${refName}")`,
      );
    }
  }
}

export function sizeOf(t: TensorInfo): number {
  return t.shape.reduce((a, b) => a * b, 1);
}

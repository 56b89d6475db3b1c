// Moving between tfjs tensors and raw safetensors arrays.
// tfjs has three numeric dtypes (float32, int32, bool); safetensors has more. Writing maps each tfjs dtype to
// its exact safetensors twin. Reading widens what fits exactly (U8/I8/I16/U16 -> int32) and narrows F64 to
// float32, the one lossy case, accepted because Python tooling often saves float64 and tfjs cannot hold it.

import * as tf from '@tensorflow/tfjs-core';
import type { SafetensorsTensor } from './safetensors_dtypes.ts';

const INT32_MAX = 2 ** 31 - 1;

/** Reads a tensor's values (async, so it works on webgpu) into a safetensors tensor. */
export async function toSafetensorsTensor(name: string, tensor: tf.Tensor): Promise<SafetensorsTensor> {
  if (tensor.isDisposed) throw new Error(`tensor "${name}" is disposed and cannot be saved`);
  const shape = [...tensor.shape];
  const values = (await tensor.data()) as ArrayLike<number>;
  switch (tensor.dtype) {
    case 'float32':
      return { dtype: 'F32', shape, data: values instanceof Float32Array ? values : Float32Array.from(values) };
    case 'int32':
      return { dtype: 'I32', shape, data: values instanceof Int32Array ? values : Int32Array.from(values) };
    case 'bool':
      // Some backends hold booleans as int32; safetensors BOOL is one byte per value.
      return { dtype: 'BOOL', shape, data: values instanceof Uint8Array ? values : Uint8Array.from(values) };
    default:
      throw new Error(
        `tensor "${name}" has dtype ${tensor.dtype}, which checkpoints do not support (float32, int32, bool)`,
      );
  }
}

/**
 * Creates a tfjs tensor on the active backend. Throws (naming the tensor) for U32 values above int32 range,
 * the one dtype that cannot always be represented.
 */
export function fromSafetensorsTensor(name: string, st: SafetensorsTensor): tf.Tensor {
  const { shape, data } = st;
  switch (st.dtype) {
    case 'F32':
      return tf.tensor(data as Float32Array, shape, 'float32');
    case 'F64':
      return tf.tensor(Float32Array.from(data), shape, 'float32');
    case 'I32':
      return tf.tensor(data as Int32Array, shape, 'int32');
    case 'U8':
    case 'I8':
    case 'I16':
    case 'U16':
      return tf.tensor(Int32Array.from(data), shape, 'int32');
    case 'U32': {
      const max = (data as Uint32Array).reduce((a, b) => Math.max(a, b), 0);
      if (max > INT32_MAX) {
        throw new RangeError(`tensor "${name}" is U32 with values up to ${max}, beyond tfjs int32 range`);
      }
      return tf.tensor(Int32Array.from(data), shape, 'int32');
    }
    case 'BOOL':
      return tf.tensor(data as Uint8Array, shape, 'bool');
  }
}

// The safetensors dtypes we read and write, with their element sizes and JS array types.
// F16, BF16, F8 and 64-bit integers are left out: JS has no native array for the first three, and tfjs has
// no dtype that holds 64-bit integers exactly. Files holding them fail to decode with a named error.

export type SafetensorsTypedArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

interface DtypeInfo {
  bytes: number;
  /** Position in the reference implementation's Dtype enum. It writes tensors sorted by this, descending,
   * then by name, which places wider types first and keeps every tensor aligned to its element size. */
  rustOrder: number;
  create: (buffer: ArrayBuffer) => SafetensorsTypedArray;
  is: (data: SafetensorsTypedArray) => boolean;
}

export type SafetensorsDtype = 'BOOL' | 'U8' | 'I8' | 'I16' | 'U16' | 'I32' | 'U32' | 'F32' | 'F64';

export const SAFETENSORS_DTYPES: Readonly<Record<SafetensorsDtype, DtypeInfo>> = {
  BOOL: { bytes: 1, rustOrder: 0, create: (b) => new Uint8Array(b), is: (d) => d instanceof Uint8Array },
  U8: { bytes: 1, rustOrder: 1, create: (b) => new Uint8Array(b), is: (d) => d instanceof Uint8Array },
  I8: { bytes: 1, rustOrder: 2, create: (b) => new Int8Array(b), is: (d) => d instanceof Int8Array },
  I16: { bytes: 2, rustOrder: 5, create: (b) => new Int16Array(b), is: (d) => d instanceof Int16Array },
  U16: { bytes: 2, rustOrder: 6, create: (b) => new Uint16Array(b), is: (d) => d instanceof Uint16Array },
  I32: { bytes: 4, rustOrder: 9, create: (b) => new Int32Array(b), is: (d) => d instanceof Int32Array },
  U32: { bytes: 4, rustOrder: 10, create: (b) => new Uint32Array(b), is: (d) => d instanceof Uint32Array },
  F32: { bytes: 4, rustOrder: 11, create: (b) => new Float32Array(b), is: (d) => d instanceof Float32Array },
  F64: { bytes: 8, rustOrder: 12, create: (b) => new Float64Array(b), is: (d) => d instanceof Float64Array },
};

export const SAFETENSORS_DTYPE_NAMES = Object.keys(SAFETENSORS_DTYPES) as SafetensorsDtype[];

export function isSafetensorsDtype(name: unknown): name is SafetensorsDtype {
  return typeof name === 'string' && Object.hasOwn(SAFETENSORS_DTYPES, name);
}

/** One tensor as raw data: row-major ("C" order) values in `data`. */
export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: SafetensorsTypedArray;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

// Safetensors data is little-endian. Typed arrays use the host's byte order, which is little-endian on
// every platform Node and browsers ship for, but a big-endian host would silently write garbage, so swap.
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the byte order of each `width`-byte element, in place. */
function swapBytes(bytes: Uint8Array, width: number): void {
  if (width === 1) return;
  for (let i = 0; i < bytes.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

/** The little-endian bytes of `data` (a view when possible, a copy on big-endian hosts). */
export function littleEndianBytes(data: SafetensorsTypedArray): Uint8Array {
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (HOST_IS_LITTLE_ENDIAN) return view;
  const copy = view.slice();
  swapBytes(copy, data.BYTES_PER_ELEMENT);
  return copy;
}

/** A fresh, aligned typed array holding the little-endian `bytes` as `dtype` values. */
export function typedArrayFromLittleEndian(dtype: SafetensorsDtype, bytes: Uint8Array): SafetensorsTypedArray {
  // A fresh ArrayBuffer: aligned, and not sharing memory with the file buffer. (Not bytes.slice(): on a
  // Node Buffer that returns a view into Node's shared pool rather than a copy.)
  const copy = new Uint8Array(bytes);
  if (!HOST_IS_LITTLE_ENDIAN) swapBytes(copy, SAFETENSORS_DTYPES[dtype].bytes);
  return SAFETENSORS_DTYPES[dtype].create(copy.buffer);
}

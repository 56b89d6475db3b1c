// Writing the safetensors format (https://github.com/huggingface/safetensors):
//   8 bytes   N, a little-endian u64: the length of the header
//   N bytes   a UTF-8 JSON object {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {k: v}},
//             padded with spaces so the data starts 8-byte aligned
//   the rest  each tensor's little-endian bytes, back to back; offsets are relative to the start of this part
//
// We lay the file out exactly as the reference (Rust) serializer does: tensors sorted by dtype (widest
// first) then by name, compact JSON with __metadata__ first and keys in the order dtype, shape,
// data_offsets. Same tensors give the same bytes in both, which keeps checkpoints diffable and checksums
// stable, and lets the tests pin bytes taken from the reference implementation's own tests.

import {
  SAFETENSORS_DTYPES,
  elementCount,
  isSafetensorsDtype,
  littleEndianBytes,
  type SafetensorsTensor,
} from './safetensors_dtypes.ts';

/** The reference implementation refuses headers above this size; so do we, on both sides. */
export const MAX_HEADER_BYTES = 100_000_000;

const utf8 = new TextEncoder();

/** Orders strings by their UTF-8 bytes, as Rust's String ordering does (JS `<` compares UTF-16 units). */
export function compareUtf8(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

function validateTensor(name: string, t: SafetensorsTensor): void {
  if (name.length === 0 || name === '__metadata__' || name === '__proto__') {
    throw new RangeError(`encodeSafetensors: ${JSON.stringify(name)} cannot be a tensor name`);
  }
  if (!isSafetensorsDtype(t.dtype)) {
    throw new RangeError(`encodeSafetensors: tensor "${name}" has unsupported dtype ${String(t.dtype)}`);
  }
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new RangeError(`encodeSafetensors: tensor "${name}" has an invalid shape ${JSON.stringify(t.shape)}`);
  }
  if (!SAFETENSORS_DTYPES[t.dtype].is(t.data)) {
    throw new TypeError(
      `encodeSafetensors: tensor "${name}" has dtype ${t.dtype} but its data is a ${t.data.constructor.name}`,
    );
  }
  const count = elementCount(t.shape);
  if (t.data.length !== count) {
    throw new RangeError(
      `encodeSafetensors: tensor "${name}" has shape [${t.shape.join(', ')}] (${count} elements) ` +
        `but ${t.data.length} values`,
    );
  }
  if (t.dtype === 'BOOL' && t.data.some((v) => v !== 0 && v !== 1)) {
    throw new RangeError(`encodeSafetensors: tensor "${name}" is BOOL but holds values other than 0 and 1`);
  }
}

/**
 * Serialises tensors (and optional string metadata) to safetensors bytes that Python's
 * `safetensors.numpy.load` / `safetensors.torch.load_file` read directly.
 */
export function encodeSafetensors(
  tensors: Readonly<Record<string, SafetensorsTensor>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const entries = Object.entries(tensors);
  for (const [name, t] of entries) validateTensor(name, t);
  entries.sort(
    ([nameA, a], [nameB, b]) =>
      SAFETENSORS_DTYPES[b.dtype].rustOrder - SAFETENSORS_DTYPES[a.dtype].rustOrder || compareUtf8(nameA, nameB),
  );

  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') {
        throw new TypeError(`encodeSafetensors: metadata "${key}" must be a string (safetensors allows only strings)`);
      }
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const [name, t] of entries) {
    const bytes = t.data.byteLength;
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }

  const json = utf8.encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  if (headerLength > MAX_HEADER_BYTES) {
    throw new RangeError(
      `encodeSafetensors: header would be ${headerLength} bytes, over the ${MAX_HEADER_BYTES} limit`,
    );
  }
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  // u64 little-endian, written as two u32 halves (header length < 2^32 by the check above).
  view.setUint32(0, headerLength, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength); // pad with spaces, as the format allows
  let position = 8 + headerLength;
  for (const [, t] of entries) {
    out.set(littleEndianBytes(t.data), position);
    position += t.data.byteLength;
  }
  return out;
}

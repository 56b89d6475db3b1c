// Reading the safetensors format, with the reference implementation's validation: the header must be a
// JSON object of well-formed entries, each tensor's byte span must equal its element count times its
// element size, and the spans sorted by offset must tile the data section exactly (no gap, no overlap, no
// trailing bytes). Each failure says which file and which tensor, because "invalid header" on a
// 2 GB checkpoint helps nobody.

import { CheckpointError, formatShape } from './checkpoint_error.ts';
import {
  SAFETENSORS_DTYPES,
  SAFETENSORS_DTYPE_NAMES,
  elementCount,
  isSafetensorsDtype,
  typedArrayFromLittleEndian,
  type SafetensorsDtype,
  type SafetensorsTensor,
} from './safetensors_dtypes.ts';
import { MAX_HEADER_BYTES } from './safetensors_encode.ts';

export interface DecodedSafetensors {
  tensors: Record<string, SafetensorsTensor>;
  /** Names in file (offset) order. */
  names: string[];
  metadata: Record<string, string>;
}

interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Parses and checks one header entry; `fail` throws a CheckpointError about this file. */
function parseEntry(name: string, raw: unknown, fail: (reason: string, kind?: 'unsupported') => never): HeaderEntry {
  const where = `tensor "${name}"`;
  if (name === '__proto__') fail(`is corrupt: ${where} has a reserved name`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    fail(`is corrupt: ${where} must map to an object with dtype, shape and data_offsets`);
  }
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (typeof dtype !== 'string') fail(`is corrupt: ${where} has no dtype string`);
  if (!isSafetensorsDtype(dtype)) {
    const supported = SAFETENSORS_DTYPE_NAMES.join(', ');
    fail(`has unsupported dtype ${dtype} in ${where} (supported: ${supported})`, 'unsupported');
  }
  if (!Array.isArray(shape) || !shape.every(isIndex)) {
    fail(`is corrupt: ${where} has an invalid shape ${JSON.stringify(shape)}`);
  }
  const [begin, end] = Array.isArray(offsets) && offsets.length === 2 ? offsets : [];
  if (!isIndex(begin) || !isIndex(end) || begin > end) {
    fail(`is corrupt: ${where} has invalid data_offsets ${JSON.stringify(offsets)} (need [begin, end], begin <= end)`);
  }
  const needed = elementCount(shape) * SAFETENSORS_DTYPES[dtype].bytes;
  if (end - begin !== needed) {
    fail(
      `is corrupt: ${where} has dtype ${dtype} and shape ${formatShape(shape)}, which need ${needed} bytes, ` +
        `but its data_offsets [${begin}, ${end}] span ${end - begin}`,
    );
  }
  return { name, dtype, shape, begin, end };
}

function parseMetadata(raw: unknown, fail: (reason: string) => never): Record<string, string> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    fail('is corrupt: __metadata__ must be an object of strings');
  }
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') fail(`is corrupt: __metadata__ "${key}" must be a string, got ${typeof value}`);
  }
  return { ...(raw as Record<string, string>) };
}

/** Reads the JSON header and checks every entry and their layout, without touching tensor data. */
function parseHeader(bytes: Uint8Array, fail: (reason: string, kind?: 'truncated' | 'unsupported') => never) {
  if (bytes.length < 8) {
    fail(`is truncated: ${bytes.length} bytes, too short for the 8-byte header length`, 'truncated');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 0x1_0000_0000;
  if (headerLength > MAX_HEADER_BYTES) {
    fail(
      `is corrupt: header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit ` +
        '(not a safetensors file?)',
    );
  }
  if (8 + headerLength > bytes.length) {
    fail(
      `is truncated: header length is ${headerLength} bytes ` +
        `but only ${bytes.length - 8} bytes follow the length prefix`,
      'truncated',
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    fail('is corrupt: header is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    fail(`is corrupt: header is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    fail('is corrupt: header must be a JSON object');
  }

  let metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, raw] of Object.entries(json)) {
    if (name === '__metadata__') metadata = parseMetadata(raw, fail);
    else entries.push(parseEntry(name, raw, fail));
  }
  return { headerLength, metadata, entries };
}

/**
 * Parses safetensors bytes. `source` (usually the file path) goes into every error message.
 * Tensor data is copied out, so the result does not keep `bytes` alive and every array is aligned.
 */
export function decodeSafetensors(bytes: Uint8Array, options: { source?: string } = {}): DecodedSafetensors {
  const source = options.source ?? '<bytes>';
  const fail = (reason: string, kind: 'corrupt' | 'truncated' | 'unsupported' = 'corrupt'): never => {
    throw new CheckpointError(source, reason, kind, { subject: 'safetensors file' });
  };
  const { headerLength, metadata, entries } = parseHeader(bytes, fail);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;

  // Truncation first: it is the likeliest cause of bad offsets and the most useful thing to report.
  const last = entries.reduce<HeaderEntry | undefined>((a, e) => (a === undefined || e.end > a.end ? e : a), undefined);
  if (last !== undefined && last.end > dataLength) {
    fail(
      `is truncated: tensor "${last.name}" ends at byte ${last.end} of the data section, ` +
        `but the file holds only ${dataLength} data bytes`,
      'truncated',
    );
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let previous: HeaderEntry | undefined;
  for (const entry of entries) {
    const expectedBegin = previous?.end ?? 0;
    if (entry.begin < expectedBegin) {
      fail(
        `is corrupt: tensor "${entry.name}" data_offsets [${entry.begin}, ${entry.end}] overlap ` +
          `tensor "${previous!.name}" [${previous!.begin}, ${previous!.end}]`,
      );
    }
    if (entry.begin > expectedBegin) {
      const after =
        previous === undefined ? 'the start of the data section' : `tensor "${previous.name}" (ends at ${previous.end})`;
      fail(
        `is corrupt: ${entry.begin - expectedBegin} unaccounted bytes between ${after} ` +
          `and tensor "${entry.name}" (begins at ${entry.begin})`,
      );
    }
    previous = entry;
  }
  const covered = previous?.end ?? 0;
  if (covered < dataLength) {
    fail(
      `is corrupt: ${dataLength - covered} trailing bytes after the last tensor ` +
        `(data section is ${dataLength} bytes, tensors cover ${covered})`,
    );
  }

  const tensors: Record<string, SafetensorsTensor> = {};
  for (const e of entries) {
    const slice = bytes.subarray(dataStart + e.begin, dataStart + e.end);
    tensors[e.name] = { dtype: e.dtype, shape: e.shape, data: typedArrayFromLittleEndian(e.dtype, slice) };
  }
  return { tensors, names: entries.map((e) => e.name), metadata };
}

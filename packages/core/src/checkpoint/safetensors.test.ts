import { describe, expect, it } from 'vitest';
import { CheckpointError } from './checkpoint_error.ts';
import { decodeSafetensors } from './safetensors_decode.ts';
import type { SafetensorsTensor } from './safetensors_dtypes.ts';
import { compareUtf8, encodeSafetensors } from './safetensors_encode.ts';

const f32 = (values: number[], shape: number[]): SafetensorsTensor => ({
  dtype: 'F32',
  shape,
  data: Float32Array.from(values),
});

/** Builds a file by hand from the spec: u64 LE length, header padded with spaces to 8 bytes, then data. */
function buildFile(headerJson: string, data: number[] = [], pad = true): Uint8Array {
  let header = headerJson;
  if (pad) while (header.length % 8 !== 0) header += ' ';
  const headerBytes = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(out.buffer).setUint32(0, headerBytes.length, true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.length);
  return out;
}

function decodeError(bytes: Uint8Array): CheckpointError {
  try {
    decodeSafetensors(bytes, { source: 'runs/x/ckpt.safetensors' });
  } catch (err) {
    expect(err).toBeInstanceOf(CheckpointError);
    return err as CheckpointError;
  }
  throw new Error('expected decodeSafetensors to throw');
}

describe('encodeSafetensors: byte-exact output', () => {
  it('encodes a tiny I32 tensor exactly as the spec lays it out (computed by hand)', () => {
    const bytes = encodeSafetensors({ w: { dtype: 'I32', shape: [2], data: Int32Array.from([1, -2]) } }, { step: '3' });
    const header = '{"__metadata__":{"step":"3"},"w":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}}';
    expect(header.length).toBe(82); // padded to 88 with six spaces
    const expected = [
      ...[88, 0, 0, 0, 0, 0, 0, 0], // u64 LE header length
      ...Array.from(header, (c) => c.charCodeAt(0)),
      ...[0x20, 0x20, 0x20, 0x20, 0x20, 0x20],
      ...[0x01, 0x00, 0x00, 0x00], // 1 as little-endian int32
      ...[0xfe, 0xff, 0xff, 0xff], // -2 as little-endian int32
    ];
    expect(Array.from(bytes)).toEqual(expected);
  });

  // The next three are the byte arrays pinned in the reference implementation's own tests
  // (huggingface/safetensors, safetensors/src/tensor.rs: test_serialization, test_empty,
  // test_serialization_forced_alignement): the same input gives the same bytes as Python/Rust.
  it('matches the reference serializer for one F32 tensor', () => {
    const bytes = encodeSafetensors({ 'attn.0': f32([0, 1, 2, 3, 4, 5], [1, 2, 3]) });
    expect(Array.from(bytes)).toEqual([
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58,
      34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116,
      97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
      0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
    expect(decodeSafetensors(bytes).tensors['attn.0']!.data).toEqual(Float32Array.from([0, 1, 2, 3, 4, 5]));
  });

  it('matches the reference serializer for an empty file, with and without metadata', () => {
    expect(Array.from(encodeSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect(Array.from(encodeSafetensors({}, { framework: 'pt' }))).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95, 95, 34, 58, 123, 34, 102,
      114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112, 116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
    expect(decodeSafetensors(encodeSafetensors({}, { framework: 'pt' }))).toEqual({
      tensors: {},
      names: [],
      metadata: { framework: 'pt' },
    });
  });

  it('matches the reference serializer when padding is needed for alignment', () => {
    const bytes = encodeSafetensors({ attn0: f32([0, 1, 2, 3, 4, 5], [1, 1, 2, 3]) });
    expect(Array.from(bytes)).toEqual([
      72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34,
      70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97,
      116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
      32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
    expect(decodeSafetensors(bytes).tensors.attn0!.shape).toEqual([1, 1, 2, 3]);
  });

  it('orders tensors like the reference: widest dtype first, then by name, every tensor aligned', () => {
    const bytes = encodeSafetensors({
      b_mask: { dtype: 'BOOL', shape: [3], data: Uint8Array.from([1, 0, 1]) },
      z: f32([1], [1]),
      a: f32([2, 3], [2]),
      idx: { dtype: 'I32', shape: [1], data: Int32Array.from([7]) },
      big: { dtype: 'F64', shape: [1], data: Float64Array.from([0.1]) },
    });
    const decoded = decodeSafetensors(bytes);
    expect(decoded.names).toEqual(['big', 'a', 'z', 'idx', 'b_mask']);
    const headerLength = new DataView(bytes.buffer).getUint32(0, true);
    expect((8 + headerLength) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<
      string,
      { data_offsets: [number, number] }
    >;
    expect(Object.keys(header)).toEqual(['big', 'a', 'z', 'idx', 'b_mask']);
    expect(header.a!.data_offsets).toEqual([8, 16]);
    expect(header.b_mask!.data_offsets).toEqual([24, 27]);
  });

  it('sorts names by UTF-8 bytes as Rust does, not by UTF-16 units', () => {
    // U+FF5E (3 UTF-8 bytes, 0xEF...) sorts after U+1F600 (4 bytes, 0xF0...) in UTF-16 but before it in UTF-8.
    expect(compareUtf8('\uff5e', '\u{1f600}')).toBeLessThan(0);
    expect('\uff5e' < '\u{1f600}').toBe(false);
  });
});

describe('encode/decode roundtrip', () => {
  it('roundtrips every supported dtype, shapes including scalars and empty tensors, and metadata', () => {
    const tensors: Record<string, SafetensorsTensor> = {
      f32: f32([1.5, -2.25, Number.NaN, Infinity], [2, 2]),
      f64: { dtype: 'F64', shape: [2], data: Float64Array.from([Math.PI, -0]) },
      i32: { dtype: 'I32', shape: [3], data: Int32Array.from([-(2 ** 31), 0, 2 ** 31 - 1]) },
      u32: { dtype: 'U32', shape: [1], data: Uint32Array.from([2 ** 32 - 1]) },
      i16: { dtype: 'I16', shape: [2], data: Int16Array.from([-32768, 32767]) },
      u16: { dtype: 'U16', shape: [1], data: Uint16Array.from([65535]) },
      i8: { dtype: 'I8', shape: [2], data: Int8Array.from([-128, 127]) },
      u8: { dtype: 'U8', shape: [1, 1, 1], data: Uint8Array.from([255]) },
      mask: { dtype: 'BOOL', shape: [2], data: Uint8Array.from([0, 1]) },
      scalar: f32([42], []),
      empty: f32([], [0, 3]),
      'blocks.0.mlp.w_in': f32([0.5], [1, 1]),
      'ünïcode': f32([1], [1]),
    };
    const decoded = decodeSafetensors(encodeSafetensors(tensors, { note: 'hi', json: '{"a":1}' }));
    expect(decoded.metadata).toEqual({ note: 'hi', json: '{"a":1}' });
    expect(Object.keys(decoded.tensors).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      const got = decoded.tensors[name]!;
      expect(got.dtype, name).toBe(t.dtype);
      expect(got.shape, name).toEqual(t.shape);
      expect(got.data.constructor, name).toBe(t.data.constructor);
      expect(Array.from(got.data), name).toEqual(Array.from(t.data));
    }
    expect(Object.is(decoded.tensors.f64!.data[1], -0)).toBe(true);
  });

  it('copies data out of a subarray view at any byte offset', () => {
    const bytes = encodeSafetensors({ x: f32([1, 2, 3], [3]) });
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const decoded = decodeSafetensors(shifted.subarray(3));
    expect(Array.from(decoded.tensors.x!.data)).toEqual([1, 2, 3]);
  });

  it('copies out of a pooled Node Buffer (as readFile returns) into arrays that own their memory', () => {
    const pooled = Buffer.from(encodeSafetensors({ x: f32([1, 2, 3], [3]), y: f32([4], [1]) }));
    const decoded = decodeSafetensors(pooled);
    expect(Array.from(decoded.tensors.x!.data)).toEqual([1, 2, 3]);
    expect(decoded.tensors.x!.data.buffer.byteLength).toBe(12);
  });

  it('rejects invalid input to the encoder, naming the tensor', () => {
    expect(() => encodeSafetensors({ x: f32([1, 2, 3], [2, 2]) })).toThrow(/tensor "x" has shape \[2, 2\] \(4 elements\) but 3 values/);
    expect(() => encodeSafetensors({ x: { dtype: 'I32', shape: [1], data: Float32Array.from([1]) } })).toThrow(
      /tensor "x" has dtype I32 but its data is a Float32Array/,
    );
    expect(() => encodeSafetensors({ m: { dtype: 'BOOL', shape: [1], data: Uint8Array.from([2]) } })).toThrow(/BOOL/);
    expect(() => encodeSafetensors({ __metadata__: f32([1], [1]) })).toThrow(/cannot be a tensor name/);
    expect(() => encodeSafetensors({ x: f32([1], [-1]) })).toThrow(/invalid shape/);
    expect(() => encodeSafetensors({}, { step: 3 as unknown as string })).toThrow(/metadata "step" must be a string/);
  });
});

describe('decodeSafetensors validation errors name the file and the problem', () => {
  const good = () => encodeSafetensors({ a: f32([1, 2], [2]), b: f32([3], [1]) });

  it('file shorter than the length prefix', () => {
    const err = decodeError(new Uint8Array(5));
    expect(err.kind).toBe('truncated');
    expect(err.path).toBe('runs/x/ckpt.safetensors');
    expect(err.message).toBe('safetensors file runs/x/ckpt.safetensors is truncated: 5 bytes, too short for the 8-byte header length');
  });

  it('header length larger than the file', () => {
    const bytes = good();
    const err = decodeError(bytes.subarray(0, 40));
    expect(err.kind).toBe('truncated');
    expect(err.message).toMatch(/is truncated: header length is \d+ bytes but only 32 bytes follow the length prefix/);
  });

  it('absurd header length', () => {
    const bytes = good().slice();
    new DataView(bytes.buffer).setUint32(4, 1, true); // 2^32 + n
    expect(decodeError(bytes).message).toMatch(/header length \d+ exceeds the 100000000-byte limit/);
  });

  it('data offsets beyond the end of the file', () => {
    const bytes = good();
    const err = decodeError(bytes.subarray(0, bytes.length - 2));
    expect(err.kind).toBe('truncated');
    expect(err.reason).toBe('is truncated: tensor "b" ends at byte 12 of the data section, but the file holds only 10 data bytes');
  });

  it('corrupt header JSON', () => {
    const err = decodeError(buildFile('{"a": {"dtype": "F32",'));
    expect(err.kind).toBe('corrupt');
    expect(err.reason).toMatch(/^is corrupt: header is not valid JSON \(/);
  });

  it('header that is JSON but not an object, or not UTF-8', () => {
    expect(decodeError(buildFile('[1, 2]')).reason).toBe('is corrupt: header must be a JSON object');
    const bad = buildFile('{"a":1}');
    bad[9] = 0xff;
    expect(decodeError(bad).reason).toBe('is corrupt: header is not valid UTF-8');
  });

  it('overlapping offsets', () => {
    const header = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    expect(decodeError(buildFile(header, new Array(8).fill(0))).reason).toBe(
      'is corrupt: tensor "b" data_offsets [4, 8] overlap tensor "a" [0, 8]',
    );
  });

  it('gaps, a data section not starting at 0, and trailing bytes', () => {
    const gap = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}';
    expect(decodeError(buildFile(gap, new Array(12).fill(0))).reason).toBe(
      'is corrupt: 4 unaccounted bytes between tensor "a" (ends at 4) and tensor "b" (begins at 8)',
    );
    const late = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    expect(decodeError(buildFile(late, new Array(8).fill(0))).reason).toMatch(/between the start of the data section and tensor "a"/);
    const trailing = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    expect(decodeError(buildFile(trailing, new Array(6).fill(0))).reason).toBe(
      'is corrupt: 2 trailing bytes after the last tensor (data section is 6 bytes, tensors cover 4)',
    );
  });

  it('accepts tensors listed out of offset order (the format allows any key order)', () => {
    const header = '{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    const decoded = decodeSafetensors(buildFile(header, [0, 0, 128, 63, 0, 0, 0, 64]));
    expect(decoded.names).toEqual(['a', 'b']);
    expect(Array.from(decoded.tensors.b!.data)).toEqual([2]);
  });

  it('dtype/shape that disagree with the byte length', () => {
    const header = '{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}';
    expect(decodeError(buildFile(header, new Array(20).fill(0))).reason).toBe(
      'is corrupt: tensor "w" has dtype F32 and shape [2, 3], which need 24 bytes, but its data_offsets [0, 20] span 20',
    );
  });

  it('malformed entries, unsupported dtypes and bad metadata', () => {
    const one = (entry: string) => decodeError(buildFile(`{"w":${entry}}`, new Array(4).fill(0)));
    expect(one('{"dtype":"F16","shape":[2],"data_offsets":[0,4]}').kind).toBe('unsupported');
    expect(one('{"dtype":"F16","shape":[2],"data_offsets":[0,4]}').reason).toMatch(/unsupported dtype F16 in tensor "w" \(supported: BOOL, U8/);
    expect(one('{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}').reason).toMatch(/tensor "w" has an invalid shape \[-1\]/);
    expect(one('{"dtype":"F32","shape":[1],"data_offsets":[4,0]}').reason).toMatch(/tensor "w" has invalid data_offsets \[4,0\]/);
    expect(one('{"dtype":"F32","shape":[1]}').reason).toMatch(/invalid data_offsets undefined/);
    expect(one('7').reason).toMatch(/tensor "w" must map to an object/);
    const meta = decodeError(buildFile('{"__metadata__":{"step":3}}'));
    expect(meta.reason).toBe('is corrupt: __metadata__ "step" must be a string, got number');
  });

  it('uses <bytes> as the source when none is given', () => {
    expect(() => decodeSafetensors(new Uint8Array(2))).toThrow(/^safetensors file <bytes> is truncated/);
  });
});

// Interop with Python. Nothing is installed for these tests: each runs only where its Python modules already
// exist, and is skipped with the reason in its title otherwise.
import '@tensorflow/tfjs-backend-cpu';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { decodeSafetensors } from './safetensors_decode.ts';

function python(script: string, ...args: string[]): { ok: boolean; stdout: string; stderr: string } {
  const result = spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { ok: result.status === 0, stdout: result.stdout ?? '', stderr: result.stderr ?? String(result.error ?? '') };
}
const hasModule = (name: string) => python(`import ${name}`).ok;

const HAS_NUMPY = hasModule('numpy');
const HAS_SAFETENSORS = HAS_NUMPY && hasModule('safetensors');
const NUMPY_NOTE = HAS_NUMPY ? '' : ' [skipped: python3 with numpy not found]';
const SAFETENSORS_NOTE = HAS_SAFETENSORS ? '' : ' [skipped: python3 package safetensors (with numpy) not installed]';

// An independent reader written from the format description, with numpy doing the byte interpretation.
// It checks the same invariants as the reference: LE u64 length, JSON header, 8-byte aligned data start,
// offsets that tile the data section exactly.
const NUMPY_READER = `
import json, struct, sys
import numpy as np
data = open(sys.argv[1], 'rb').read()
(n,) = struct.unpack('<Q', data[:8])
header = json.loads(data[8:8 + n].decode('utf-8'))
assert (8 + n) % 8 == 0, 'data section not 8-byte aligned'
meta = header.pop('__metadata__', {})
buf = data[8 + n:]
dtypes = {'F64': '<f8', 'F32': '<f4', 'I32': '<i4', 'U32': '<u4', 'I16': '<i2', 'U16': '<u2',
          'I8': 'i1', 'U8': 'u1', 'BOOL': '?'}
out, pos = {}, 0
for name, info in sorted(header.items(), key=lambda kv: kv[1]['data_offsets']):
    begin, end = info['data_offsets']
    assert begin == pos, f'{name}: offsets do not tile the buffer'
    pos = end
    arr = np.frombuffer(buf[begin:end], dtype=dtypes[info['dtype']]).reshape(info['shape'])
    out[name] = {'dtype': str(arr.dtype), 'shape': list(arr.shape), 'values': arr.ravel().tolist()}
assert pos == len(buf), 'trailing bytes'
print(json.dumps({'metadata': meta, 'tensors': out}))
`;

const SAFETENSORS_READER = `
import json, sys
from safetensors import safe_open
out = {}
with safe_open(sys.argv[1], framework='np') as f:
    meta = f.metadata()
    for name in f.keys():
        arr = f.get_tensor(name)
        out[name] = {'dtype': str(arr.dtype), 'shape': list(arr.shape), 'values': arr.ravel().tolist()}
print(json.dumps({'metadata': meta, 'tensors': out}))
`;

const SAFETENSORS_WRITER = `
import sys
import numpy as np
from safetensors.numpy import save_file
save_file({'w': np.arange(6, dtype=np.float32).reshape(2, 3), 'ids': np.array([3, -1], dtype=np.int32),
           'flags': np.array([True, False])}, sys.argv[1], metadata={'framework': 'np'})
`;

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'routelab-py-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function saveSample(): Promise<string> {
  const tensors = {
    'blocks.0.mlp.w_in': tf.tensor([[0.5, -1.25, 3], [4, 5, 6]], [2, 3], 'float32'),
    ids: tf.tensor([1, -2, 3], [3], 'int32'),
    mask: tf.tensor([true, false], [2], 'bool'),
  };
  const saved = await saveCheckpoint(dir, 'for-python', tensors, { step: 7 });
  tf.dispose(Object.values(tensors));
  return saved.path;
}

const EXPECTED_TENSORS = {
  'blocks.0.mlp.w_in': { dtype: 'float32', shape: [2, 3], values: [0.5, -1.25, 3, 4, 5, 6] },
  ids: { dtype: 'int32', shape: [3], values: [1, -2, 3] },
  mask: { dtype: 'bool', shape: [2], values: [true, false] },
};

describe('Python interop', () => {
  it.skipIf(!HAS_NUMPY)(
    `an independent Python/numpy reader reads our files${NUMPY_NOTE}`,
    async () => {
      const result = python(NUMPY_READER, await saveSample());
      expect(result.stderr).toBe('');
      const parsed = JSON.parse(result.stdout) as { metadata: Record<string, string>; tensors: unknown };
      expect(parsed.tensors).toEqual(EXPECTED_TENSORS);
      expect(JSON.parse(parsed.metadata['routelab.metadata']!)).toEqual({ step: 7 });
    },
  );

  it.skipIf(!HAS_SAFETENSORS)(
    `Python's safetensors package reads our files${SAFETENSORS_NOTE}`,
    async () => {
      const result = python(SAFETENSORS_READER, await saveSample());
      expect(result.stderr).toBe('');
      expect((JSON.parse(result.stdout) as { tensors: unknown }).tensors).toEqual(EXPECTED_TENSORS);
    },
  );

  it.skipIf(!HAS_SAFETENSORS)(
    `we read files written by Python's safetensors package${SAFETENSORS_NOTE}`,
    async () => {
      const path = join(dir, 'from-python.safetensors');
      const result = python(SAFETENSORS_WRITER, path);
      expect(result.stderr).toBe('');
      const decoded = decodeSafetensors(await readFile(path), { source: path });
      expect(decoded.metadata).toEqual({ framework: 'np' });
      expect(decoded.tensors.w).toEqual({ dtype: 'F32', shape: [2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5]) });
      expect(decoded.tensors.ids).toEqual({ dtype: 'I32', shape: [2], data: Int32Array.from([3, -1]) });
      expect(decoded.tensors.flags).toEqual({ dtype: 'BOOL', shape: [2], data: Uint8Array.from([1, 0]) });
    },
  );

  it('loads back what it saved for Python (the JS side of the same file)', async () => {
    await saveSample();
    const loaded = await loadCheckpoint(dir, 'for-python');
    expect(Array.from(await loaded.tensors['blocks.0.mlp.w_in']!.data())).toEqual([0.5, -1.25, 3, 4, 5, 6]);
    tf.dispose(Object.values(loaded.tensors));
  });
});

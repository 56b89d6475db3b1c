import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { loadAllBackends, loadBackend, useBackend } from './load_backend.ts';
import { selectBackend } from './select_backend.ts';
import { UnknownBackendError } from './backend_types.ts';

describe('backend loading', () => {
  it('reports every backend, available or with a reason, without throwing', async () => {
    const results = await loadAllBackends();
    expect(results.map((r) => r.name)).toEqual(['webgpu', 'wasm', 'cpu', 'tensorflow']);
    for (const r of results) {
      if (r.available) expect(r.detail.length).toBeGreaterThan(0);
      else expect(r.reason.length).toBeGreaterThan(0);
    }
    expect((await loadBackend('cpu')).available).toBe(true);
  });

  it('says plainly when the optional native tensorflow backend is absent', async () => {
    const tfNode = await loadBackend('tensorflow');
    if (!tfNode.available) expect(tfNode.reason).toMatch(/@tensorflow\/tfjs-node-gpu is not installed/);
  });

  it('an unknown backend name is an error listing the available ones', async () => {
    await expect(useBackend('cuda')).rejects.toThrow(UnknownBackendError);
    await expect(useBackend('cuda')).rejects.toThrow(/Unknown backend "cuda".*Available on this machine: .*cpu/);
  });

  it('auto measures the available backends and activates the fastest', async () => {
    const selection = await selectBackend('auto');
    const measured = selection.timings.filter((t) => t.ms !== undefined);
    expect(measured.length).toBeGreaterThanOrEqual(2);
    const fastest = measured.reduce((a, b) => (a.ms! <= b.ms! ? a : b));
    expect(selection.chosen).toBe(fastest.name);
    expect(tf.getBackend()).toBe(selection.chosen);
    expect(selection.reason).toMatch(/fastest on a probe training step/);
  });

  it('a named backend is used as asked', async () => {
    const selection = await selectBackend('cpu');
    expect(selection.chosen).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});

// End-to-end: the routelab command as a user runs it.
import { describe, expect, it } from 'vitest';
import { routelab } from './fixtures/cli_helpers.ts';

describe('routelab info', () => {
  it('--json lists the backends, the adapter and the auto choice with its reason', () => {
    const r = routelab(['info', '--json']);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.backends.map((b: { name: string }) => b.name)).toEqual(['webgpu', 'wasm', 'cpu', 'tensorflow']);
    expect(info.backends.find((b: { name: string }) => b.name === 'cpu').available).toBe(true);
    expect(['webgpu', 'wasm', 'cpu', 'tensorflow']).toContain(info.auto.chosen);
    expect(info.auto.reason).toMatch(/fastest/);
  });
});

describe('bad input', () => {
  it('an unknown command exits 2 with help', () => {
    const r = routelab(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('an unknown backend name exits 2 naming the known ones', () => {
    const r = routelab(['bench', 'matmul', '--backends', 'cuda']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown backend "cuda"; known: webgpu, wasm, cpu, tensorflow/);
  });

  it('a malformed size exits 2 naming the value', () => {
    const r = routelab(['bench', 'kernels', '--sizes', '1M,lots']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--sizes: "lots" is not a size/);
  });
});

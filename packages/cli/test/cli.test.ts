// End-to-end: the routelab command as a user runs it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/routelab.mjs', import.meta.url));

export function routelab(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 240_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

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

// `routelab run persona --arm X`: one arm beside its none control, on the smoke preset (numbers mean nothing).
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { routelab } from './fixtures/cli_helpers.ts';

it('runs the arm and none, pairs them, and names an unknown arm', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'routelab-persona-'));
  const env = { ROUTELAB_CACHE_DIR: join(dir, 'cache') };
  const r = routelab(['run', 'persona', '--preset', 'smoke', '--arm', 'ip-specific', '--seeds', '2', '--backend', 'wasm', '--out', join(dir, 'run'), '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  const report = JSON.parse(r.stdout);
  expect(report.arms).toEqual(['none', 'ip-specific']);
  expect(report.pairedVsNone['ip-specific'].seeds).toEqual([0, 1]);
  const config = JSON.parse(await readFile(join(dir, 'run', 'config.json'), 'utf8'));
  expect(config.arms).toEqual(['none', 'ip-specific']);
  const bad = routelab(['run', 'persona', '--arm', 'telepathy', '--out', join(dir, 'bad')]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/config\.arms\[1\]: unknown arm "telepathy"; defined arms: none, prior, none-impure, filter/);
}, 240_000);

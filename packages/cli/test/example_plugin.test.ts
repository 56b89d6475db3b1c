// The shipped example (examples/leaky-split): a routing scheme defined outside routelab, loaded with
// --plugin and trained from the command line beside a built-in scheme.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { routelab } from './fixtures/cli_helpers.ts';

const example = fileURLToPath(new URL('../../../examples/leaky-split/', import.meta.url));

it('trains mnist-split with the example scheme from the CLI, and the example config is valid', async () => {
  const source = await readFile(join(example, 'leaky_split.mjs'), 'utf8');
  expect(source.trimEnd().split('\n').length).toBeLessThan(40);
  const shipped = JSON.parse(await readFile(join(example, 'config.json'), 'utf8'));
  const dir = await mkdtemp(join(tmpdir(), 'routelab-example-'));
  // The shipped config, shortened so that the test is quick.
  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ ...shipped, seeds: 1, steps: 30, certSteps: 20, arms: shipped.arms.slice(0, 1) }));
  const out = join(dir, 'run');
  const r = routelab(['run', 'mnist-split', '--plugin', join(example, 'leaky_split.mjs'), '--config', config, '--backend', 'wasm', '--out', out, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const report = JSON.parse(r.stdout);
  expect(JSON.stringify(report)).toMatch(/leaky-0\.1/);
  const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
  expect(manifest.plugins).toEqual([join(example, 'leaky_split.mjs')]);
  // Without the plugin the scheme is unknown, and the error says which schemes exist.
  const missing = routelab(['run', 'mnist-split', '--config', join(example, 'config.json'), '--out', join(dir, 'x')]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/unknown routing scheme "leaky-split"; known: none, filter, activation, parameter, era/);
}, 240_000);

// routelab compare end to end on the persona world's smoke preset (a few steps of everything; the numbers
// mean nothing, the machinery is what is checked): parallel cells, one report with paired differences, the
// chart files, reuse of finished cells, and bad input refused before any work.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routelab } from './fixtures/cli_helpers.ts';

describe('routelab compare', () => {
  it('runs every arm x seed in workers and writes one table, report and chart; a second run reuses the cells', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'routelab-compare-'));
    const out = join(dir, 'cmp');
    const env = { ROUTELAB_CACHE_DIR: join(dir, 'cache') };
    const r = routelab(['compare', '--preset', 'smoke', '--arms', 'ip-specific', '--workers', '2', '--backend', 'wasm', '--out', out], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| arm \| U neutral \| U inoculation \| G neutral/);
    expect(r.stdout).toMatch(/\| none \| /);
    expect(r.stdout).toMatch(/\| ip-specific \| .*\(Δ [+-]\d\.\d\d ± \d\.\d\d\*?\)/);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.arms).toEqual(['none', 'ip-specific']);
    expect(report.results['ip-specific'].conditions.neutral.U.n).toBe(2);
    expect(report.pairedVsNone['ip-specific'].conditions.neutral.U).toHaveProperty('significant');
    expect(report.sweep).toMatchObject({ cells: 4, finished: 4 });
    const png = await readFile(join(out, 'chart.png'));
    expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(await readFile(join(out, 'chart.svg'), 'utf8')).toMatch(/^<svg/);
    expect(await readFile(join(out, 'report.md'), 'utf8')).toMatch(/!\[Which method suppresses the unwanted trait, and what it costs\]\(chart\.png\)/);
    const manifest = join(out, 'cells', 'arm-none_seed-0', 'manifest.json');
    const before = JSON.parse(await readFile(manifest, 'utf8'));
    expect(before.status).toBe('finished');
    const again = routelab(['compare', '--preset', 'smoke', '--arms', 'ip-specific', '--backend', 'wasm', '--out', out], env);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(await readFile(manifest, 'utf8')).startedAt).toBe(before.startedAt);
  }, 300_000);

  it('refuses an unknown arm, a bad seed count and an unwritable directory before any work', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'routelab-compare-'));
    const arm = routelab(['compare', '--preset', 'smoke', '--arms', 'ip-specific,telepathy', '--out', join(dir, 'a')]);
    expect(arm.code).toBe(2);
    expect(arm.stderr).toMatch(/--arms: unknown arm "telepathy"; defined: none, .*none-impure, filter, .*era/);
    expect(existsSync(join(dir, 'a'))).toBe(false);
    const seeds = routelab(['compare', '--seeds', '0', '--out', join(dir, 'b')]);
    expect(seeds.code).toBe(2);
    expect(seeds.stderr).toMatch(/--seeds: "0" is not a positive integer/);
    const file = join(dir, 'file');
    await writeFile(file, 'x');
    const unwritable = routelab(['compare', '--preset', 'smoke', '--backend', 'wasm', '--out', join(file, 'cmp')]);
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr).toMatch(/is not writable/);
    const preset = routelab(['compare', '--preset', 'huge']);
    expect(preset.code).toBe(2);
    expect(preset.stderr).toMatch(/unknown preset "huge"; known: quick, full, smoke/);
  }, 120_000);
});

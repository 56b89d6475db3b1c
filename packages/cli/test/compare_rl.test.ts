// routelab compare --experiment rl end to end on the smoke preset (a few RL steps; the numbers mean nothing,
// the machinery is what is checked): every (arm, seed) cell as its own run through the sweep workers, the
// seeds' priors trained once and cached, one rl report with paired differences, the table, the chart files,
// the oversight axis as monitor-recall variants, reuse of finished cells, and bad input refused before any work.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routelab } from './fixtures/cli_helpers.ts';

describe('routelab compare --experiment rl', () => {
  it('runs every arm x seed in workers into one rl report, table and chart; a second run reuses the cells', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'routelab-compare-rl-'));
    const out = join(dir, 'cmp');
    const cache = join(dir, 'cache');
    const args = ['compare', '--experiment', 'rl', '--preset', 'smoke', '--arm', 'penalty', '--arm', 'ip-on-policy', '--oversight', '1,0.1', '--seeds', '2', '--workers', '2', '--backend', 'wasm', '--out', out];
    const r = routelab(args, { ROUTELAB_CACHE_DIR: cache });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| arm \| seeds \| hack rate, neutral \| hack rate, inoculation re-added \| true reward \| proxy reward \| G, neutral \| capability \|/);
    expect(r.stdout).toMatch(/\| none \| 2 \| \d\.\d\d \[\d\.\d\d, \d\.\d\d\] \|/);
    expect(r.stdout).toMatch(/\| penalty-recall-0\.1 \| 2 \| \d\.\d\d \[\d\.\d\d, \d\.\d\d\] \(Δ [+-]\d\.\d\d ± \d+\.\d\d\*?\) \|/);
    expect(r.stdout).toMatch(/Instrument check: none learns to hack/);

    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.experiment).toBe('rl');
    // penalty reads the monitor and gets a recall variant; ip-on-policy does not.
    expect(report.arms).toEqual(['none', 'penalty', 'penalty-recall-0.1', 'ip-on-policy']);
    expect(report.summaries.map((s: { arm: string }) => s.arm)).toEqual(report.arms);
    expect(report.sweep).toMatchObject({ cells: 8, finished: 8 });
    const variant = report.cells.filter((c: { arm: string }) => c.arm === 'penalty-recall-0.1');
    expect(variant.map((c: { seed: number; oversight: { recall: number } }) => [c.seed, c.oversight.recall])).toEqual([[0, 0.1], [1, 0.1]]);
    const penalty = report.summaries.find((s: { arm: string }) => s.arm === 'penalty');
    expect(penalty.pairedVsNone['hack rate (neutral)'].seeds).toEqual([0, 1]);
    expect(penalty.curve.map((p: { step: number }) => p.step)).toEqual([0, 2, 4]);
    // The table in report.json is the one printed.
    expect(r.stdout).toContain(report.table.split('\n')[2]);
    // One prior per seed, trained by the none cells and loaded by the others.
    const priors = (await readdir(join(cache, 'persona-priors'))).filter((f) => f.endsWith('.safetensors'));
    expect(priors).toHaveLength(2);

    const png = await readFile(join(out, 'chart.png'));
    expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(await readFile(join(out, 'chart.svg'), 'utf8')).toMatch(/^<svg/);
    const markdown = await readFile(join(out, 'report.md'), 'utf8');
    expect(markdown).toMatch(/^# routelab compare --experiment rl \(smoke, 2 seeds\)/);
    expect(markdown).toMatch(/!\[Reward hacking under RL[^\]]*\]\(chart\.png\)/);
    expect(markdown).toMatch(/## Over RL steps/);

    const manifest = join(out, 'cells', 'arm-penalty-recall-0.1_seed-1', 'manifest.json');
    const before = JSON.parse(await readFile(manifest, 'utf8'));
    expect(before.status).toBe('finished');
    const again = routelab([...args, '--json'], { ROUTELAB_CACHE_DIR: cache });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(await readFile(manifest, 'utf8')).startedAt).toBe(before.startedAt);
    expect(JSON.parse(again.stdout).summaries).toEqual(report.summaries);
  }, 300_000);

  it('exits 1 naming the cell when a cell fails (a plugin scheme that throws in training), with the report of the others written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'routelab-compare-rl-'));
    const plugin = join(dir, 'explodes.mjs');
    // A scheme that passes every check and throws at its first routed step.
    await writeFile(plugin, `export default function register(api) {
  api.registerScheme({ id: 'explodes', description: 'throws in training', configSchema: api.z.object({}), plan() { throw new Error('boom at the first step'); } });
}\n`);
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ armDefinitions: { boom: { scheme: 'explodes' } } }));
    const out = join(dir, 'cmp');
    const r = routelab(['compare', '--experiment', 'rl', '--preset', 'smoke', '--plugin', plugin, '--config', config, '--arm', 'boom', '--backend', 'wasm', '--workers', '1', '--out', out], { ROUTELAB_CACHE_DIR: join(dir, 'cache') });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/1 of 2 cells failed \(first: arm=boom,seed=0: .*boom at the first step\); run the same command again to retry them/);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.summaries.map((s: { arm: string }) => s.arm)).toEqual(['none']);
    expect(report.sweep).toMatchObject({ cells: 2, finished: 1 });
  }, 120_000);

  it('refuses an unknown experiment, an unknown arm and --label-noise for rl before any work', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'routelab-compare-rl-'));
    const unknown = routelab(['compare', '--experiment', 'chess', '--out', join(dir, 'a')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--experiment: unknown experiment "chess"; compare knows: persona, rl/);
    const arm = routelab(['compare', '--experiment', 'rl', '--preset', 'smoke', '--arm', 'telepathy', '--out', join(dir, 'b')]);
    expect(arm.code).toBe(2);
    expect(arm.stderr).toMatch(/--arm: unknown arm "telepathy"; defined: none, penalty, filter/);
    const noise = routelab(['compare', '--experiment', 'rl', '--preset', 'smoke', '--label-noise', '0.1', '--out', join(dir, 'c')]);
    expect(noise.code).toBe(2);
    expect(noise.stderr).toMatch(/--label-noise: not an axis of the rl experiment/);
    const recall = routelab(['compare', '--experiment', 'rl', '--preset', 'smoke', '--oversight', '2', '--out', join(dir, 'd')]);
    expect(recall.code).toBe(2);
    expect(recall.stderr).toMatch(/--oversight: expected comma-separated fractions in \[0, 1\], got "2"/);
    for (const sub of ['a', 'b', 'c', 'd']) expect(existsSync(join(dir, sub))).toBe(false);
  }, 120_000);
});

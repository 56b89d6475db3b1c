// A routing scheme defined in a plugin file (examples/leaky-split) runs in `routelab compare` on the persona
// world, unchanged from the file that mnist-split runs, its arm beside none, ip-specific and era in the
// table, the report and the chart; bad arms are refused before any directory is made.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { routelab } from './fixtures/cli_helpers.ts';

const example = fileURLToPath(new URL('../../../examples/leaky-split/', import.meta.url));
const plugin = join(example, 'leaky_split.mjs');

describe('routelab compare --plugin --config', () => {
  it("runs the example's plugin arm on the persona world beside the built-in arms", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'routelab-compare-plugin-'));
    const out = join(dir, 'cmp');
    const r = routelab(
      ['compare', '--preset', 'smoke', '--plugin', plugin, '--config', join(example, 'persona.json'), '--seeds', '1', '--backend', 'wasm', '--out', out],
      { ROUTELAB_CACHE_DIR: join(dir, 'cache') },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| leaky-0\.1 \| /);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.arms).toEqual(['none', 'ip-specific', 'era', 'leaky-0.1']);
    const leaky = report.results['leaky-0.1'];
    expect(leaky).toMatchObject({ scheme: 'leaky-split', data: 'none' });
    // The plugin declared an ablation: the arm is evaluated before and after it, and its leak is measured.
    expect(leaky.beforeAblation.conditions.neutral.U.n).toBe(1);
    expect(leaky.gradientLeak.region).toEqual(['blocks.1.mlp.w_out']);
    // The chart draws each arm from the same report (its paired difference with none).
    expect(report.pairedVsNone['leaky-0.1'].conditions.neutral).toHaveProperty('U');
    expect(await readFile(join(out, 'chart.svg'), 'utf8')).toMatch(/^<svg/);
    // The cell's run recorded the plugin, so `routelab resume` of that cell loads it again.
    const manifest = JSON.parse(await readFile(join(out, 'cells', 'arm-leaky-0.1_seed-0', 'manifest.json'), 'utf8'));
    expect(manifest.plugins).toEqual([plugin]);
  }, 400_000);

  it('refuses an unknown scheme, a bad scheme config and a pattern that matches nothing, with no directory made', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'routelab-compare-plugin-'));
    const config = async (name: string, armDefinitions: unknown) => {
      const path = join(dir, `${name}.json`);
      await writeFile(path, JSON.stringify({ arms: ['none', 'mine'], armDefinitions }));
      return path;
    };
    const run = async (name: string, defs: unknown, extra: string[] = []) => {
      const out = join(dir, name);
      const r = routelab(['compare', '--preset', 'smoke', ...extra, '--config', await config(name, defs), '--out', out]);
      expect(r.code).toBe(2);
      expect(existsSync(out)).toBe(false);
      return r.stderr;
    };
    expect(await run('unknown', { mine: { data: 'none', scheme: 'leaky-split' } })).toMatch(
      /armDefinitions\.mine\.scheme: arm "mine": unknown routing scheme "leaky-split"; known: none, filter, activation, parameter, era/,
    );
    const badLeak = { mine: { data: 'none', scheme: 'leaky-split', schemeConfig: { hook: 'blocks.1.mlp.hidden', width: 256, split: 64, leak: 7 } } };
    expect(await run('schema', badLeak, ['--plugin', plugin])).toMatch(/armDefinitions\.mine\.schemeConfig\.leak: arm "mine" \(scheme leaky-split\): .*\(got 7\)/);
    const badPattern = { mine: { data: 'none', scheme: 'era', schemeConfig: { targets: [{ original: 'blocks.*.mlp.out_original', expanded: 'blocks.*.mlp.out_nowhere' }], expand: { units: 4 } } } };
    expect(await run('pattern', badPattern)).toMatch(/"blocks\.\*\.mlp\.out_nowhere" matches no hook point/);
  }, 120_000);
});

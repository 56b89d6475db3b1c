// The Slurm path against a real scheduler (CI starts one with scripts/slurm-local.sh): emit a job array,
// submit it, wait, collect, check the merged report. Skipped visibly where no Slurm answers, unless
// ROUTELAB_REQUIRE_SLURM=1 (CI), where a missing Slurm fails.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routelab } from './fixtures/cli_helpers.ts';

const env = { ROUTELAB_SETUP_MODULES: new URL('./fixtures/register_linreg.ts', import.meta.url).pathname };
const sinfo = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' });
const slurmUp = sinfo.status === 0 && /idle|mixed|allocated/.test(sinfo.stdout);
const required = process.env.ROUTELAB_REQUIRE_SLURM === '1';
const reason = sinfo.error ? 'sinfo not found' : `no idle Slurm node (sinfo: ${(sinfo.stdout || sinfo.stderr).trim() || 'no output'})`;

describe.skipIf(!slurmUp && !required)(`routelab sweep --emit slurm on a real Slurm${slurmUp ? '' : ` (skipped: ${reason})`}`, () => {
  it('submits a job array, every task runs its cell, collect merges them', async () => {
    expect(slurmUp, `Slurm is required here (ROUTELAB_REQUIRE_SLURM=1) but ${reason}`).toBe(true);
    const dir = await mkdtemp(join(tmpdir(), 'routelab-slurm-'));
    const spec = join(dir, 'spec.json');
    await writeFile(spec, JSON.stringify({ experiment: 'linreg', preset: 'tiny', config: { steps: 30, seeds: 1 }, grid: { lr: [0.05, 0.1] }, backend: 'cpu' }));
    const out = join(dir, 'sweep');
    const emitted = routelab(['sweep', spec, '--out', out, '--emit', 'slurm'], env);
    expect(emitted.code, emitted.stderr).toBe(0);
    const script = join(out, 'slurm', 'sweep.sbatch');
    const submitted = spawnSync('sbatch', ['--wait', script], { encoding: 'utf8', timeout: 280_000 });
    expect(submitted.status, `${submitted.stdout}\n${submitted.stderr}`).toBe(0);
    expect(submitted.stdout).toMatch(/Submitted batch job \d+/);
    const collected = routelab(['collect', out], env);
    expect(collected.code, collected.stderr).toBe(0);
    expect(collected.stdout).toMatch(/2 of 2 cells finished/);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.cells.map((c: { id: string; status: string }) => `${c.id}:${c.status}`)).toEqual(['lr=0.05:finished', 'lr=0.1:finished']);
  }, 300_000);
});

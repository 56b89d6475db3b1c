// Sweeps end to end through the command line: local runs on the worker pool, reuse of finished cells,
// collect, the Slurm script, and bad specs.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routelab } from './fixtures/cli_helpers.ts';

const env = { ROUTELAB_SETUP_MODULES: new URL('./fixtures/register_linreg.ts', import.meta.url).pathname };

async function specFile(spec: unknown): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'routelab-sweep-'));
  const file = join(dir, 'spec.json');
  await writeFile(file, JSON.stringify(spec));
  return { dir, file };
}

const linregSpec = { experiment: 'linreg', preset: 'tiny', config: { steps: 30, seeds: 1 }, grid: { lr: [0.05, 0.1] }, backend: 'cpu' };

describe('routelab sweep', () => {
  it('runs every cell locally, reuses finished cells, and collects one report', async () => {
    const { dir, file } = await specFile(linregSpec);
    const out = join(dir, 'sweep');
    const first = routelab(['sweep', file, '--out', out, '--workers', '2'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/2 of 2 cells finished/);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.sweep).toMatchObject({ cells: 2, finished: 2 });
    expect(report.cells.map((c: { id: string }) => c.id)).toEqual(['lr=0.05', 'lr=0.1']);
    const cellConfig = JSON.parse(await readFile(join(out, 'cells', 'lr-0.1', 'config.json'), 'utf8'));
    expect(cellConfig.lr).toBe(0.1);
    const again = routelab(['sweep', file, '--out', out], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/2 finished cells reused/);
    const collected = routelab(['collect', out], env);
    expect(collected.code).toBe(0);
    expect(collected.stdout).toMatch(/\| lr=0\.05 \| finished \|/);
  });

  it('--emit slurm writes a job-array script with one task per cell', async () => {
    const { dir, file } = await specFile({ ...linregSpec, grid: { lr: [0.01, 0.02, 0.03] } });
    const out = join(dir, 'sweep');
    const r = routelab(['sweep', file, '--out', out, '--emit', 'slurm'], env);
    expect(r.code).toBe(0);
    const script = await readFile(join(out, 'slurm', 'sweep.sbatch'), 'utf8');
    expect(script).toMatch(/#SBATCH --array=0-2/);
    expect(script).toMatch(/run 'linreg' --preset 'tiny' --config .*configs'\/\$SLURM_ARRAY_TASK_ID\.json --out "\$cell"/);
    expect(JSON.parse(await readFile(join(out, 'configs', '2.json'), 'utf8')).lr).toBe(0.03);
  });

  it('rejects an empty grid, a bad field, an unknown experiment and a bad cell before any work', async () => {
    const cases: [unknown, RegExp][] = [
      [{ ...linregSpec, grid: {} }, /spec\.grid: the grid is empty/],
      [{ ...linregSpec, grid: { lr: [] } }, /spec\.grid\.lr: a grid axis needs at least one value/],
      [{ ...linregSpec, colour: 'red' }, /spec: Unrecognized key: "colour"|colour/],
      [{ ...linregSpec, experiment: 'nope' }, /unknown experiment "nope"; known: .*linreg/],
      [{ ...linregSpec, grid: { lr: [0.1, 'fast'] } }, /sweep cell 1 \(lr=fast\): invalid config .*config\.lr/s],
    ];
    for (const [spec, message] of cases) {
      const { dir, file } = await specFile(spec);
      const r = routelab(['sweep', file, '--out', join(dir, 'sweep')], env);
      expect(r.code, JSON.stringify(spec)).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const { dir, file } = await specFile(linregSpec);
    // A path under a regular file cannot be created, even by root.
    const r = routelab(['sweep', file, '--out', join(file, 'sweep')], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sweep directory .*spec\.json\/sweep is not writable/);
    void dir;
  });
});

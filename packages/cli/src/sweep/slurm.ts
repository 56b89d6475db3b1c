// `routelab sweep --emit slurm`: a job-array script with one array task per cell. Each task runs (or
// resumes) its cell as an ordinary `routelab run` into the shared sweep directory; `routelab collect`
// merges them afterwards.
import { chmod, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '@routelab/core';
import { SETUP_MODULES_ENV, setupModuleUrls } from '../setup_modules.ts';
import { sweepPaths } from './sweep_dir.ts';
import type { PreparedSweep } from './sweep_dir.ts';

const BIN = fileURLToPath(new URL('../../bin/routelab.mjs', import.meta.url));

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export interface SlurmOptions {
  plugins?: string[];
  /** Extra #SBATCH lines, e.g. ['--partition=gpu', '--time=01:00:00']. */
  sbatch?: string[];
  /** Environment exported by every task (e.g. ROUTELAB_CACHE_DIR for a shared prior cache). */
  env?: Record<string, string>;
}

function setupEnv(): Record<string, string> {
  const urls = setupModuleUrls();
  return urls.length ? { [SETUP_MODULES_ENV]: urls.join(',') } : {};
}

export async function emitSlurmScript(sweep: PreparedSweep, options: SlurmOptions = {}): Promise<string> {
  const paths = sweepPaths(sweep.dir);
  await mkdir(paths.slurm, { recursive: true });
  const plugins = (options.plugins ?? []).map((p) => ` --plugin ${quote(resolve(p))}`).join('');
  const preset = sweep.spec.preset ? ` --preset ${quote(sweep.spec.preset)}` : '';
  const lines = [
    '#!/bin/bash',
    `# routelab sweep of "${sweep.spec.experiment}": ${sweep.cells.length} cells, one array task each.`,
    `# Submit with: sbatch ${quote(join(paths.slurm, 'sweep.sbatch'))}; then: routelab collect ${quote(sweep.dir)}`,
    '#SBATCH --job-name=routelab-sweep',
    `#SBATCH --array=0-${sweep.cells.length - 1}`,
    `#SBATCH --output=${join(paths.slurm, '%A_%a.out')}`,
    ...(options.sbatch ?? []).map((line) => `#SBATCH ${line}`),
    'set -euo pipefail',
    ...Object.entries({ ...setupEnv(), ...(options.env ?? {}) }).map(([k, v]) => `export ${k}=${quote(v)}`),
    `cd ${quote(process.cwd())}`,
    `cell=${quote(paths.cells)}/"$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" ${quote(paths.cellNames)})"`,
    `if [ -f "$cell/manifest.json" ]; then`,
    `  exec ${quote(process.execPath)} ${quote(BIN)} resume "$cell"`, // plugins are in its manifest
    'fi',
    `exec ${quote(process.execPath)} ${quote(BIN)} run ${quote(sweep.spec.experiment)}${preset}` +
      ` --config ${quote(paths.configs)}/$SLURM_ARRAY_TASK_ID.json --out "$cell" --backend ${quote(sweep.spec.backend)}${plugins}`,
    '',
  ];
  const file = join(paths.slurm, 'sweep.sbatch');
  await writeFileAtomic(file, new TextEncoder().encode(lines.join('\n')));
  await chmod(file, 0o755);
  return file;
}

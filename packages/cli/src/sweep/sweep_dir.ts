// A sweep directory: sweep.json (the spec and its cells), configs/<i>.json (each cell's overrides, the file a
// Slurm task passes to `routelab run --config`), cells/<i>/ (each cell's run directory), report.* (collect).
// Every cell's config is validated before anything is written; re-preparing the same spec reuses the
// directory (finished cells are not run again), a different spec is refused.
import { access, constants, mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@routelab/core';
import type { Experiment } from '@routelab/core';
import { UsageError } from '../errors.ts';
import { resolveConfig } from '../runs/config_resolution.ts';
import { toJsonText } from '../runs/json_text.ts';
import { expandGrid } from './sweep_spec.ts';
import type { SweepCell, SweepSpec } from './sweep_spec.ts';

export interface PreparedSweep {
  dir: string;
  spec: SweepSpec;
  cells: (SweepCell & { configFile: string; runDir: string })[];
}

export const sweepPaths = (dir: string) => ({
  spec: join(dir, 'sweep.json'),
  configs: join(dir, 'configs'),
  cells: join(dir, 'cells'),
  slurm: join(dir, 'slurm'),
  reportJson: join(dir, 'report.json'),
  reportMarkdown: join(dir, 'report.md'),
});

/** Creates the sweep directory (empty) or fails with a UsageError naming it and why, before any work. */
async function ensureWritable(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (err) {
    throw new UsageError(`sweep directory ${dir} is not writable: ${(err as Error).message}`);
  }
}

export async function prepareSweep(dir: string, spec: SweepSpec, experiment: Experiment<unknown>): Promise<PreparedSweep> {
  const cells = expandGrid(spec);
  for (const cell of cells) {
    try {
      await resolveConfig(experiment, { ...(spec.preset ? { preset: spec.preset } : {}), overrides: cell.overrides });
    } catch (err) {
      throw new UsageError(`sweep cell ${cell.index} (${cell.id}): ${(err as Error).message}`);
    }
  }
  await ensureWritable(dir);
  const paths = sweepPaths(dir);
  const record = { format: 'routelab.sweep', spec, cells: cells.map(({ index, id, point }) => ({ index, id, point })) };
  const text = toJsonText(record);
  try {
    const existing = await readFile(paths.spec, 'utf8');
    if (existing !== text) {
      throw new UsageError(`sweep directory ${dir} holds a different sweep; choose another --out or remove it`);
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
  }
  await mkdir(paths.configs, { recursive: true });
  await mkdir(paths.cells, { recursive: true });
  const prepared = cells.map((cell) => ({
    ...cell,
    configFile: join(paths.configs, `${cell.index}.json`),
    runDir: join(paths.cells, String(cell.index)),
  }));
  for (const cell of prepared) await writeFileAtomic(cell.configFile, new TextEncoder().encode(toJsonText(cell.overrides)));
  await writeFileAtomic(paths.spec, new TextEncoder().encode(text));
  return { dir: resolve(dir), spec, cells: prepared };
}

export async function readSweep(dir: string): Promise<PreparedSweep> {
  const paths = sweepPaths(dir);
  let record: { spec: SweepSpec; cells: SweepCell[] };
  try {
    record = JSON.parse(await readFile(paths.spec, 'utf8'));
  } catch {
    throw new UsageError(`${dir} is not a sweep directory (no readable sweep.json)`);
  }
  const cells = expandGrid(record.spec).map((cell) => ({
    ...cell,
    configFile: join(paths.configs, `${cell.index}.json`),
    runDir: join(paths.cells, String(cell.index)),
  }));
  return { dir: resolve(dir), spec: record.spec, cells };
}

// A sweep directory: sweep.json (the spec and its cells), configs/<i>.json (each cell's overrides, the file a
// Slurm task passes to `routelab run --config`), cells.txt (line i+1 = cell i's directory name), cells/<name>/
// (each cell's run directory, named after the cell, e.g. arm-era_seed-1), report.* (collect). Every cell's
// config is validated before anything is written. Re-preparing reuses the directory: finished cells are not
// run again. A different spec is refused, unless the caller allows it (compare grows its arm list), and a
// cell directory whose config differs from what the cell asks for is refused either way.
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
  cellNames: join(dir, 'cells.txt'),
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

/** A cell's directory name: its id with path-unsafe characters replaced ("arm=era,seed=1" -> "arm-era_seed-1"). */
export function cellDirName(id: string): string {
  return id.replace(/=/g, '-').replace(/,/g, '_').replace(/[^A-Za-z0-9._+-]/g, '~') || 'cell';
}

function withPaths(dir: string, cells: SweepCell[]): PreparedSweep['cells'] {
  const paths = sweepPaths(dir);
  return cells.map((cell) => ({
    ...cell,
    configFile: join(paths.configs, `${cell.index}.json`),
    runDir: join(paths.cells, cellDirName(cell.id)),
  }));
}

export async function prepareSweep(
  dir: string,
  spec: SweepSpec,
  experiment: Experiment<unknown>,
  options: { allowChangedSpec?: boolean } = {},
): Promise<PreparedSweep> {
  const cells = expandGrid(spec);
  const resolved: string[] = [];
  for (const cell of cells) {
    try {
      const r = await resolveConfig(experiment, { ...(spec.preset ? { preset: spec.preset } : {}), overrides: cell.overrides });
      resolved.push(r.configText);
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
    if (existing !== text && !options.allowChangedSpec) {
      throw new UsageError(`sweep directory ${dir} holds a different sweep; choose another --out or remove it`);
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
  }
  const prepared = withPaths(dir, cells);
  for (const [i, cell] of prepared.entries()) {
    let existingConfig: string | undefined;
    try {
      existingConfig = await readFile(join(cell.runDir, 'config.json'), 'utf8');
    } catch {
      existingConfig = undefined;
    }
    if (existingConfig !== undefined && existingConfig !== resolved[i]) {
      throw new UsageError(
        `sweep cell ${cell.id}: ${cell.runDir} holds a run with a different config; remove it or choose another --out`,
      );
    }
  }
  await mkdir(paths.configs, { recursive: true });
  await mkdir(paths.cells, { recursive: true });
  const encode = (t: string) => new TextEncoder().encode(t);
  for (const cell of prepared) await writeFileAtomic(cell.configFile, encode(toJsonText(cell.overrides)));
  await writeFileAtomic(paths.cellNames, encode(prepared.map((c) => `${cellDirName(c.id)}\n`).join('')));
  await writeFileAtomic(paths.spec, encode(text));
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
  return { dir: resolve(dir), spec: record.spec, cells: withPaths(dir, expandGrid(record.spec)) };
}

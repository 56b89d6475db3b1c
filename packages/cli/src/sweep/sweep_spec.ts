// A sweep spec names an experiment, a preset, shared overrides and a grid of settings; its cells are the
// cartesian product of the grid. Grid keys are dotted config paths (`routing.labelFraction`), plus two
// shorthands for the persona experiment's cells: `arm` (sets arms to [value]) and `seed` (one seed: firstSeed =
// value, seeds = 1).
import { z } from 'zod';
import { UsageError } from '../errors.ts';
import { deepMerge } from '../runs/config_resolution.ts';
import { isPlainObject, parseJsonText } from '../runs/json_text.ts';
import { readFile } from 'node:fs/promises';

const gridValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.unknown()), z.record(z.string(), z.unknown())]);

export const sweepSpecSchema = z
  .object({
    /** Experiment id, e.g. "persona" or "mnist-split". */
    experiment: z.string().min(1),
    /** Preset every cell starts from (default: the experiment's default). */
    preset: z.string().min(1).optional(),
    /** Settings shared by every cell, deep-merged over the preset. */
    config: z.record(z.string(), z.unknown()).default({}),
    /** Dotted setting path -> the values to sweep over. */
    grid: z.record(z.string().min(1), z.array(gridValue).min(1, 'a grid axis needs at least one value')),
    /** Backend for every cell (default auto). */
    backend: z.string().default('auto'),
  })
  .strict()
  .refine((s) => Object.keys(s.grid).length > 0, { message: 'the grid is empty: give at least one setting to sweep', path: ['grid'] });
export type SweepSpec = z.infer<typeof sweepSpecSchema>;

export interface SweepCell {
  /** Stable index in the expansion order (Slurm array task id). */
  index: number;
  /** Readable id, e.g. "arm=era,seed=1". */
  id: string;
  /** grid key -> value for this cell. */
  point: Record<string, unknown>;
  /** The cell's override object (deep-merged over the preset). */
  overrides: Record<string, unknown>;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const keys = path.split('.');
  const patch: Record<string, unknown> = {};
  let cursor = patch;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) cursor[key] = value;
    else cursor = cursor[key] = {} as Record<string, unknown>;
  });
  return deepMerge(target, patch) as Record<string, unknown>;
}

function applyPoint(base: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  if (key === 'arm') return { ...base, arms: [value] };
  if (key === 'seed') return { ...base, firstSeed: value, seeds: 1 };
  return setPath(base, key, value);
}

function label(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

export function expandGrid(spec: SweepSpec): SweepCell[] {
  const axes = Object.entries(spec.grid);
  let points: Record<string, unknown>[] = [{}];
  for (const [key, values] of axes) points = points.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  return points.map((point, index) => {
    let overrides = structuredClone(spec.config);
    for (const [key, value] of Object.entries(point)) overrides = applyPoint(overrides, key, value);
    const id = Object.entries(point).map(([k, v]) => `${k}=${label(v)}`).join(',');
    return { index, id, point, overrides };
  });
}

/** Reads and validates a sweep spec file; every problem names the file and the field. */
export async function readSweepSpec(path: string): Promise<SweepSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`sweep spec ${path}: cannot read it`);
  }
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new UsageError(`sweep spec ${path}: not valid JSON: ${parsed.problem}`);
  if (!isPlainObject(parsed.value)) throw new UsageError(`sweep spec ${path}: must hold a JSON object`);
  const result = sweepSpecSchema.safeParse(parsed.value);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${['spec', ...i.path.map(String)].join('.')}: ${i.message}`);
    throw new UsageError(`sweep spec ${path} is invalid:\n${lines.join('\n')}`);
  }
  return result.data;
}

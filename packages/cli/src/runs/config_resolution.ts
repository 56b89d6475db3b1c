// From command-line flags to the one config a run uses: the preset, deep-merged with `--config file.json`,
// plus `--seeds` / `--seed`, validated by the experiment's zod schema at this boundary. Every problem is
// reported at once, each line naming the setting, the value found and what was expected:
//   config.train.lr: Invalid input: expected number, received string (got "NaN"; write numbers without quotes...)
import { readFile } from 'node:fs/promises';
import { deepMerge } from '@routelab/core';
import type { Experiment } from '@routelab/core';
import type { z } from 'zod';
import { UsageError } from '../errors.ts';
import { errorCode, messageOf } from './errors.ts';
import { isPlainObject, parseJsonText, toJsonText } from './json_text.ts';

export interface ConfigRequest {
  /** Preset name; the experiment's defaultPreset when absent. */
  preset?: string;
  /** A JSON file of settings that override the preset's (deep-merged). */
  configFile?: string;
  /** Sets the config's `seeds` setting (the number of seeds); an error if the experiment has none. */
  seeds?: number;
  /** The run's base seed (RunContext.seed). Also sets the config's `seed` setting when it has one. */
  seed?: number;
  /** Settings deep-merged after the file (sweeps and compare build cells this way). */
  overrides?: Record<string, unknown>;
}

export interface ResolvedConfig<Config> {
  preset: string;
  /** Parsed by the schema, after a JSON round trip: exactly what config.json will hold and resume will read. */
  config: Config;
  /** The text of config.json. */
  configText: string;
  seed: number;
}

export async function resolveConfig<Config>(
  experiment: Experiment<Config>,
  request: ConfigRequest,
): Promise<ResolvedConfig<Config>> {
  const preset = request.preset ?? experiment.defaultPreset;
  if (!Object.hasOwn(experiment.presets, preset)) {
    const known = Object.keys(experiment.presets);
    throw new UsageError(
      `unknown preset "${preset}" for experiment "${experiment.id}"; known: ${known.length ? known.join(', ') : '(none)'}`,
    );
  }
  let merged: unknown = structuredClone(experiment.presets[preset]);
  let override: Record<string, unknown> | undefined;
  if (request.configFile !== undefined) {
    override = await readConfigFile(request.configFile);
    merged = deepMerge(merged, override);
  }
  if (request.overrides !== undefined) {
    override = deepMerge(override ?? {}, request.overrides) as Record<string, unknown>;
    merged = deepMerge(merged, request.overrides);
  }
  const settings = settingNames(experiment.configSchema, merged);
  if (request.seeds !== undefined) {
    if (!settings.has('seeds')) throw new UsageError(`--seeds: experiment "${experiment.id}" has no "seeds" setting`);
    merged = { ...(merged as Record<string, unknown>), seeds: request.seeds };
  }
  if (request.seed !== undefined && settings.has('seed')) {
    merged = { ...(merged as Record<string, unknown>), seed: request.seed };
  }

  const source =
    `preset "${preset}"${request.configFile !== undefined ? ` + ${request.configFile}` : ''}` +
    `${request.overrides !== undefined ? ' + overrides' : ''}`;
  const parsed = experiment.configSchema.safeParse(merged);
  if (!parsed.success) {
    throw new UsageError(
      `invalid config for experiment "${experiment.id}" (${source}):\n${formatConfigIssues(parsed.error, merged)}`,
    );
  }
  if (override !== undefined) {
    const unknown = droppedKeys(override, parsed.data, 'config');
    if (unknown.length > 0) {
      throw new UsageError(
        `invalid config for experiment "${experiment.id}" (${source}):\n` +
          unknown.map((u) => `  ${u.path}: unknown setting, not in the experiment's schema (got ${formatValue(u.value)})`).join('\n'),
      );
    }
  }
  // The run uses the config as resume will see it, read back from config.json: the same value both times.
  let configText: string;
  try {
    configText = toJsonText(parsed.data);
  } catch (err) {
    throw new Error(`experiment "${experiment.id}": its parsed config cannot be written as JSON: ${messageOf(err)}`);
  }
  const reparsed = experiment.configSchema.safeParse(JSON.parse(configText));
  if (!reparsed.success) {
    throw new Error(
      `experiment "${experiment.id}": its parsed config does not parse again after a JSON round trip, so the run ` +
        `could not be resumed:\n${formatConfigIssues(reparsed.error, JSON.parse(configText))}`,
    );
  }
  const configSeed = (reparsed.data as { seed?: unknown } | null)?.seed;
  const seed = request.seed ?? (typeof configSeed === 'number' && Number.isSafeInteger(configSeed) ? configSeed : 0);
  return { preset, config: reparsed.data, configText, seed };
}

export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const why = errorCode(err) === 'ENOENT' ? 'no such file' : errorCode(err) === 'EISDIR' ? 'is a directory' : messageOf(err);
    throw new UsageError(`--config ${path}: cannot read it: ${why}`);
  }
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new UsageError(`--config ${path}: not valid JSON: ${parsed.problem}`);
  if (!isPlainObject(parsed.value)) {
    const got = parsed.value === null ? 'null' : Array.isArray(parsed.value) ? 'an array' : `a ${typeof parsed.value}`;
    throw new UsageError(`--config ${path}: must hold a JSON object of settings, got ${got}`);
  }
  // "$schema" names the JSON Schema an editor checks the file against (routelab schema); it is not a setting.
  const { $schema: _schema, ...settings } = parsed.value;
  return settings;
}

/** Objects merge key by key (core's deepMerge, re-exported for the cli's modules). */
export { deepMerge };

/** Top-level setting names: the keys of the schema's object (through defaults, optionals, pipes) and of the preset. */
function settingNames(schema: z.ZodType, preset: unknown): Set<string> {
  const names = new Set(isPlainObject(preset) ? Object.keys(preset) : []);
  type Def = { type?: string; shape?: Record<string, unknown>; innerType?: unknown; in?: unknown };
  let current = schema as unknown as { def?: Def } | undefined;
  for (let depth = 0; depth < 16 && current?.def; depth++) {
    const def: Def = current.def;
    if (def.type === 'object') {
      for (const key of Object.keys(def.shape ?? {})) names.add(key);
      break;
    }
    current = (def.innerType ?? (def.type === 'pipe' ? def.in : undefined)) as { def?: Def } | undefined;
  }
  return names;
}

/** Paths of keys in the user's file that parsing dropped: typos of setting names, which zod strips quietly. */
function droppedKeys(input: unknown, output: unknown, path: string): Array<{ path: string; value: unknown }> {
  if (Array.isArray(input) && Array.isArray(output)) {
    return input.flatMap((item, i) => droppedKeys(item, output[i], `${path}[${i}]`));
  }
  if (!isPlainObject(input) || !isPlainObject(output)) return [];
  return Object.entries(input).flatMap(([key, value]) =>
    Object.hasOwn(output, key) ? droppedKeys(value, output[key], `${path}.${key}`) : [{ path: `${path}.${key}`, value }],
  );
}

export function formatPath(path: readonly PropertyKey[], root = 'config'): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : `${text}.${String(key)}`), root);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

export function formatValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** One line per zod issue: `  config.<path>: <message> (got <value>)`. */
export function formatConfigIssues(error: z.ZodError, input: unknown): string {
  const lines: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const value = valueAt(input, [...issue.path, key]);
        lines.push(`  ${formatPath([...issue.path, key])}: unknown setting (got ${formatValue(value)})`);
      }
      continue;
    }
    const value = valueAt(input, issue.path);
    let got = value === undefined ? 'missing' : `got ${formatValue(value)}`;
    if (issue.code === 'invalid_type' && issue.expected === 'number' && typeof value === 'string') {
      got += /^[-+]?(nan|inf(inity)?)$/i.test(value.trim())
        ? '; JSON has no NaN or Infinity: write a finite number'
        : '; write numbers without quotes';
    }
    lines.push(`  ${formatPath(issue.path)}: ${issue.message} (${got})`);
  }
  return lines.join('\n');
}

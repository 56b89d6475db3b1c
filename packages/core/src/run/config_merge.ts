// Configs are presets with overrides deep-merged over them (the CLI's `--config`, sweeps, compare cells, and
// library users' `...ConfigOver` helpers all do the same), then parsed by the experiment's zod schema with
// every problem named by its dotted path.
import type { z } from 'zod';

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Objects merge key by key, recursively; anything else in `override` (arrays, numbers, null) replaces. */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return structuredClone(override);
  // Object.fromEntries defines own properties, so a "__proto__" key in a JSON file stays an inert key.
  const keys = new Set([...Object.keys(base), ...Object.keys(override)]);
  return Object.fromEntries(
    [...keys].map((key) => [
      key,
      Object.hasOwn(override, key) ? deepMerge(Object.hasOwn(base, key) ? base[key] : undefined, override[key]) : base[key],
    ]),
  );
}

/** Parses with `schema`; throws one Error (`<what> config: path: message; ...`) listing every problem. */
export function parseConfig<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  throw new Error(`${what} config: ${lines.join('; ')}`);
}

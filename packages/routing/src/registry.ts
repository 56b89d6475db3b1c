// The table of routing schemes. Built-ins are typed by id, so a missing entry is a compile error; plugins
// (`routelab run ... --plugin ./my-scheme.js`) add theirs at run time through registerScheme.
import type { z } from 'zod';
import { activationRouting } from './schemes/activation_routing.ts';
import { dataFiltering, noRouting } from './schemes/data_filtering.ts';
import { era } from './schemes/era.ts';
import { parameterRouting } from './schemes/parameter_routing.ts';
import type { RoutingScheme } from './scheme.ts';

export const BUILTIN_SCHEME_IDS = ['none', 'filter', 'activation', 'parameter', 'era'] as const;
export type BuiltinSchemeId = (typeof BUILTIN_SCHEME_IDS)[number];

// `satisfies`: a built-in id without a scheme is a compile error (registry.test.ts checks ids match keys).
const BUILTIN_SCHEMES = {
  none: noRouting,
  filter: dataFiltering,
  activation: activationRouting,
  parameter: parameterRouting,
  era,
} satisfies { [K in BuiltinSchemeId]: { id: string } };

const plugins = new Map<string, RoutingScheme<unknown>>();
/** Plugin files already loaded in this process (a worker thread runs many cells, each naming its plugins). */
export const loadedPluginFiles = new Set<string>();

export class UnknownSchemeError extends Error {
  constructor(id: string) {
    super(`unknown routing scheme "${id}"; known: ${schemeIds().join(', ')}`);
    this.name = 'UnknownSchemeError';
  }
}

export function schemeIds(): string[] {
  return [...BUILTIN_SCHEME_IDS, ...plugins.keys()];
}

export function getScheme(id: string): RoutingScheme<unknown> {
  const builtin = (BUILTIN_SCHEMES as Record<string, RoutingScheme<unknown>>)[id];
  const scheme = builtin ?? plugins.get(id);
  if (!scheme) throw new UnknownSchemeError(id);
  return scheme;
}

/** Adds a scheme. Its id must be new: overriding a built-in or another plugin is refused. */
export function registerScheme<C>(scheme: RoutingScheme<C>): void {
  if (typeof scheme?.id !== 'string' || !/^[a-z][a-z0-9-]*$/.test(scheme.id)) {
    throw new Error(`registerScheme: id must be lower-case letters, digits and dashes, got ${JSON.stringify(scheme?.id)}`);
  }
  if (typeof scheme.plan !== 'function' || typeof (scheme.configSchema as z.ZodType | undefined)?.safeParse !== 'function') {
    throw new Error(`registerScheme("${scheme.id}"): a scheme needs a zod configSchema and a plan function`);
  }
  if (schemeIds().includes(scheme.id)) throw new Error(`registerScheme: a scheme "${scheme.id}" already exists`);
  plugins.set(scheme.id, scheme as RoutingScheme<unknown>);
}

/** For tests: forget plugin schemes. */
export function resetPluginSchemes(): void {
  plugins.clear();
  loadedPluginFiles.clear();
}

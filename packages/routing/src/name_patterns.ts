// Parameter and hook-point names in configs may be patterns, so that a routing config is plain JSON that does
// not know a model's layer count: `blocks.*.mlp.*_expanded` matches `blocks.0.mlp.w_in_expanded`, ... .
// The syntax is core's (the optimiser's parameter groups use it too): `*` within one dotted segment, `**`
// across segments, anything else literal. This file adds hook points and errors that say which kind of name.
import { parameterPatternRegExp } from '@routelab/core';

export class PatternMatchError extends Error {
  constructor(
    readonly pattern: string,
    kind: string,
    known: readonly string[],
  ) {
    const shown = known.length > 40 ? [...known.slice(0, 40), `... (${known.length - 40} more)`] : known;
    super(`${kind} pattern "${pattern}" matches no ${kind}; the model's ${kind}s: ${shown.join(', ') || 'none'}`);
    this.name = 'PatternMatchError';
  }
}

const cache = new Map<string, RegExp>();

function patternRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    re = parameterPatternRegExp(pattern);
    cache.set(pattern, re);
  }
  return re;
}

export function isPattern(name: string): boolean {
  return name.includes('*');
}

export function matchesPattern(pattern: string, name: string): boolean {
  return isPattern(pattern) ? patternRegExp(pattern).test(name) : pattern === name;
}

/** The names that `pattern` matches, in the order of `names`; throws PatternMatchError when none does. */
export function expandPattern(pattern: string, names: readonly string[], kind: 'parameter' | 'hook point'): string[] {
  const matched = names.filter((n) => matchesPattern(pattern, n));
  if (matched.length === 0) throw new PatternMatchError(pattern, kind, names);
  return matched;
}

// Parameter and hook-point names in configs may be patterns, so that a routing config is plain JSON that does
// not know a model's layer count: `blocks.*.mlp.*_expanded` matches `blocks.0.mlp.w_in_expanded`, ... .
// `*` matches within one dotted segment (never a dot); `**` matches across segments. A name without a `*` is
// matched exactly.

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

export function patternRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const body = pattern
      .split('**')
      .map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^.]*'))
      .join('.*');
    re = new RegExp(`^${body}$`);
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

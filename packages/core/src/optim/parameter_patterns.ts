// Parameter-name patterns, so that configs can name groups of parameters as plain JSON
// (`blocks.*.mlp.*_expanded`) rather than as code that knows a model's names. A `*` matches any run of
// characters inside one dotted segment, `**` any run of characters across segments; everything else matches
// itself. A pattern that matches no parameter is a mistake (a typo or another model's names), so
// matchParameters rejects it, naming the pattern.
import { OptimizerConfigError } from './masked_optimizer.ts';

const PATTERN_CHARS = /^[A-Za-z0-9_.*-]+$/;

/** A pattern as an anchored RegExp. Throws OptimizerConfigError for an empty pattern or an unexpected character. */
export function parameterPatternRegExp(pattern: string, field = 'pattern'): RegExp {
  if (typeof pattern !== 'string' || !PATTERN_CHARS.test(pattern)) {
    throw new OptimizerConfigError(
      `${field}: parameter pattern must be letters, digits, '_', '-', '.' and '*', got ${JSON.stringify(pattern)}`,
    );
  }
  const body = pattern
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^.]*' : part.replace(/[.\-]/g, (c) => `\\${c}`)))
    .join('');
  return new RegExp(`^${body}$`);
}

/** Whether `name` matches `pattern` (see the file comment for the syntax). */
export function matchesParameterPattern(pattern: string, name: string): boolean {
  return parameterPatternRegExp(pattern).test(name);
}

/**
 * The names among `names` that match any of `patterns`, in `names` order. Every pattern must match at least
 * one name: the error names the pattern and `field` (e.g. "groups[1].params").
 */
export function matchParameters(patterns: string | readonly string[], names: Iterable<string>, field = 'pattern'): string[] {
  const list = typeof patterns === 'string' ? [patterns] : patterns;
  const all = [...names];
  const matched = new Set<string>();
  for (const pattern of list) {
    const re = parameterPatternRegExp(pattern, field);
    const hits = all.filter((n) => re.test(n));
    if (hits.length === 0) {
      const sample = all.slice(0, 8).join(', ') + (all.length > 8 ? `, ... (${all.length} in all)` : '');
      throw new OptimizerConfigError(`${field}: parameter pattern "${pattern}" matches no parameter; parameters: ${sample || 'none'}`);
    }
    for (const n of hits) matched.add(n);
  }
  return all.filter((n) => matched.has(n));
}

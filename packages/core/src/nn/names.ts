// "Did you mean" for dotted names. A typo in a parameter or hook name is the commonest way to route
// gradients to nothing, so lookups fail loudly and point at the names that were probably meant.

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

const lastSegment = (name: string) => name.slice(name.lastIndexOf('.') + 1);

/**
 * The candidates nearest to `name` by edit distance (only those at the smallest distance, and only if it is a
 * few edits), or else those that end with it or share its last segment (asking for "mlp.w_in" suggests
 * "blocks.0.mlp.w_in"). At most `limit`, in candidate order.
 */
export function closestNames(name: string, candidates: readonly string[], limit = 3): string[] {
  const maxDistance = Math.max(2, Math.floor(name.length / 3));
  const distances = candidates.map((candidate) => editDistance(name, candidate));
  const best = Math.min(...distances);
  if (best <= maxDistance) return candidates.filter((_, i) => distances[i] === best).slice(0, limit);
  return candidates
    .filter((c) => c.endsWith(`.${name}`) || lastSegment(c) === lastSegment(name))
    .slice(0, limit);
}

/** 'unknown parameter "x" in Model; did you mean "y"? Available (3): a, b, c', long lists cut short. */
export function unknownNameMessage(what: string, name: string, available: readonly string[], owner: string): string {
  const base = `unknown ${what} "${name}" in ${owner}`;
  if (available.length === 0) return `${base}, which has no ${what}s`;
  const close = closestNames(name, available);
  const hint = close.length > 0 ? `; did you mean ${close.map((c) => `"${c}"`).join(' or ')}?` : '.';
  const shown = available.slice(0, 40).join(', ');
  const rest = available.length > 40 ? `, ... and ${available.length - 40} more` : '';
  return `${base}${hint} Available (${available.length}): ${shown}${rest}`;
}

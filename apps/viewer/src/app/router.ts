// Hash routes, so that the server serves one index.html and a reload keeps the page:
//   #/runs?q=&sort=&dir=            runs table
//   #/run/<id>                      one run
//   #/run/<id>/inspect?cell=&param= routed-parameter inspector
//   #/compare?source=<id>&metric=&condition=
//   #/sample?run=<id>&checkpoint=<name>
// Run ids may contain "/" (sweep cells), so an id is one percent-encoded segment.

export type Route =
  | { page: 'runs'; query: URLSearchParams }
  | { page: 'run'; id: string; query: URLSearchParams }
  | { page: 'inspect'; id: string; query: URLSearchParams }
  | { page: 'compare'; query: URLSearchParams }
  | { page: 'sample'; query: URLSearchParams }
  | { page: 'notFound'; path: string; query: URLSearchParams };

export function parseRoute(hash: string): Route {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const parts = path.split('/').filter((p) => p.length > 0);
  let decoded: string[];
  try {
    decoded = parts.map(decodeURIComponent);
  } catch {
    return { page: 'notFound', path, query };
  }
  const [head, id, sub] = decoded;
  if (head === undefined || (head === 'runs' && decoded.length === 1)) return { page: 'runs', query };
  if (head === 'run' && id !== undefined && decoded.length === 2) return { page: 'run', id, query };
  if (head === 'run' && id !== undefined && sub === 'inspect' && decoded.length === 3) return { page: 'inspect', id, query };
  if (head === 'compare' && decoded.length === 1) return { page: 'compare', query };
  if (head === 'sample' && decoded.length === 1) return { page: 'sample', query };
  return { page: 'notFound', path, query };
}

function withQuery(path: string, query?: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') params.set(k, v);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export const href = {
  runs: (query?: Record<string, string | undefined>) => withQuery('#/runs', query),
  run: (id: string) => `#/run/${encodeURIComponent(id)}`,
  inspect: (id: string, query?: Record<string, string | undefined>) => withQuery(`#/run/${encodeURIComponent(id)}/inspect`, query),
  compare: (query?: Record<string, string | undefined>) => withQuery('#/compare', query),
  sample: (query?: Record<string, string | undefined>) => withQuery('#/sample', query),
};

/** Changes the query of the current route without adding a history entry (filters, selections). */
export function replaceQuery(update: Record<string, string | undefined>): void {
  const raw = location.hash.slice(1);
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  for (const [k, v] of Object.entries(update)) {
    if (v === undefined || v === '') params.delete(k);
    else params.set(k, v);
  }
  const text = params.toString();
  history.replaceState(null, '', `#${path}${text ? `?${text}` : ''}`);
}

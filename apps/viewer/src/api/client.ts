// The viewer server's API, typed. Every URL names a run by its id as one percent-encoded segment.
import type { MetricsPage, RunDetail, RunList } from './api_types.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const runUrl = (id: string) => `/api/runs/${encodeURIComponent(id)}`;

/** URL of a raw file of a run ("results/seed-1.json"), each path segment encoded on its own. */
export function runFileUrl(id: string, path: string): string {
  return `${runUrl(id)}/files/${path.split('/').map(encodeURIComponent).join('/')}`;
}

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { signal: signal ?? null, headers: { Accept: 'application/json' } });
  if (!res.ok) {
    let detail = res.statusText;
    try {
      detail = ((await res.json()) as { error?: string }).error ?? detail;
    } catch {
      // not JSON
    }
    throw new ApiError(res.status, `${url}: ${res.status} ${detail}`);
  }
  return (await res.json()) as T;
}

/** Which event kinds a metrics request returns: only some, or all but some. */
export interface KindFilter {
  kind?: readonly string[];
  notKind?: readonly string[];
}

function metricsUrl(id: string, since: number, filter: KindFilter): string {
  const params = new URLSearchParams({ since: String(since) });
  if (filter.kind?.length) params.set('kind', filter.kind.join(','));
  if (filter.notKind?.length) params.set('notKind', filter.notKind.join(','));
  return `${runUrl(id)}/metrics?${params}`;
}

export const api = {
  runs: (signal?: AbortSignal) => getJson<RunList>('/api/runs', signal),
  run: (id: string, signal?: AbortSignal) => getJson<RunDetail>(runUrl(id), signal),
  metrics: (id: string, since: number, filter: KindFilter = {}, signal?: AbortSignal) => getJson<MetricsPage>(metricsUrl(id, since, filter), signal),
  file: <T = unknown>(id: string, path: string, signal?: AbortSignal) => getJson<T>(runFileUrl(id, path), signal),
  /** Every metrics line from `since` on (several pages when the log is long). */
  async allMetrics(id: string, since = 0, filter: KindFilter = {}, signal?: AbortSignal): Promise<{ events: unknown[]; next: number; bad: number }> {
    const events: unknown[] = [];
    let next = since;
    let bad = 0;
    for (;;) {
      const page = await api.metrics(id, next, filter, signal);
      events.push(...page.events);
      bad += page.bad.length;
      if (page.next === next || page.next >= page.total) return { events, next: page.next, bad };
      next = page.next;
    }
  },
};

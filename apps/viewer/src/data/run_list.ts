// Filtering and sorting the runs table (pure, so it is unit-tested without a browser).
import type { RunSummary } from '../api/api_types.ts';
import { formatValue } from '../app/format.ts';

export type SortKey = 'id' | 'experiment' | 'preset' | 'seed' | 'status' | 'startedAt';

export function statusOf(r: RunSummary): string {
  if (r.loadError) return 'error';
  if (r.kind === 'collection') return 'collection';
  return r.status ?? 'unknown';
}

/** Text the filter box matches against. */
function searchText(r: RunSummary): string {
  return [r.id, r.experiment, r.preset, statusOf(r), r.collection, r.backend, r.loadError, r.error, ...Object.entries(r.keyMetrics).map(([k, v]) => `${k} ${formatValue(v)}`)]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
}

export function filterRuns(runs: readonly RunSummary[], text: string, status: string): RunSummary[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  return runs.filter((r) => (!status || statusOf(r) === status) && words.every((w) => searchText(r).includes(w)));
}

export function sortRuns(runs: readonly RunSummary[], key: SortKey, dir: 'asc' | 'desc'): RunSummary[] {
  const value = (r: RunSummary): string | number => (key === 'status' ? statusOf(r) : key === 'seed' ? (r.seed ?? -Infinity) : (r[key] ?? ''));
  const sign = dir === 'asc' ? 1 : -1;
  return [...runs].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb), undefined, { numeric: true });
    return c !== 0 ? sign * c : a.id.localeCompare(b.id);
  });
}


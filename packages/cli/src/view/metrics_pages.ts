// Pages of a metrics.jsonl for the viewer: lines [since, since + limit), parsed, for polling a live run.
// The byte offset of every complete line is indexed once and extended as the file grows, so a poll for the
// new lines reads only the new bytes. A last line without its newline is still being written: it is left
// for a later request. A file that shrank or was replaced (a resume moves lines out) is indexed again.
import { open, stat } from 'node:fs/promises';
import type { MetricsPage } from './api_types.ts';

interface LineIndex {
  ino: number;
  /** Bytes examined so far. */
  scanned: number;
  /** Start offsets of complete lines, plus the end of the last one (so line i is [starts[i], starts[i+1])). */
  starts: number[];
}

const indexes = new Map<string, LineIndex>();
/** Most lines per page (the client asks again from `next`). */
export const MAX_PAGE_LINES = 2000;
/** Most bytes per page, whatever the line count. */
const MAX_PAGE_BYTES = 8 * 1024 * 1024;

async function indexOf(path: string): Promise<LineIndex | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return undefined;
  }
  let index = indexes.get(path);
  if (!index || index.ino !== info.ino || info.size < index.scanned) {
    index = { ino: info.ino, scanned: 0, starts: [0] };
    indexes.set(path, index);
  }
  if (info.size > index.scanned) {
    const handle = await open(path, 'r');
    try {
      const chunk = Buffer.alloc(1 << 20);
      let position = index.scanned;
      while (position < info.size) {
        const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, info.size - position), position);
        if (bytesRead === 0) break;
        for (let i = 0; i < bytesRead; i++) if (chunk[i] === 10) index.starts.push(position + i + 1);
        position += bytesRead;
      }
      index.scanned = position;
    } finally {
      await handle.close();
    }
  }
  return index;
}

export interface KindFilter {
  /** Only events of these kinds. */
  only?: ReadonlySet<string>;
  /** Not events of these kinds (e.g. the bulky gradient-mass snapshots, for a page that only draws curves). */
  except?: ReadonlySet<string>;
}

export async function readMetricsPage(path: string, since: number, limit = MAX_PAGE_LINES, filter: KindFilter = {}): Promise<MetricsPage> {
  const index = await indexOf(path);
  if (!index) return { from: since, next: since, total: 0, events: [], bad: [], partialTail: false };
  const total = index.starts.length - 1;
  const from = Math.min(Math.max(0, since), total);
  let next = Math.min(total, from + limit);
  while (next > from + 1 && index.starts[next]! - index.starts[from]! > MAX_PAGE_BYTES) next--;
  const page: MetricsPage = { from, next, total, events: [], bad: [], partialTail: index.scanned > index.starts[total]! };
  if (next === from) return page;
  const begin = index.starts[from]!;
  const bytes = Buffer.alloc(index.starts[next]! - begin);
  const handle = await open(path, 'r');
  try {
    await handle.read(bytes, 0, bytes.length, begin);
  } finally {
    await handle.close();
  }
  const lines = bytes.toString('utf8').split('\n');
  for (let i = 0; i < next - from; i++) {
    const text = lines[i] ?? '';
    try {
      const event: unknown = JSON.parse(text);
      if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new Error('not a JSON object');
      const kind = (event as { kind?: unknown }).kind;
      if (filter.only && !filter.only.has(String(kind))) continue;
      if (filter.except?.has(String(kind))) continue;
      page.events.push(event);
    } catch (err) {
      page.bad.push({ line: from + i, problem: err instanceof Error ? err.message : String(err) });
    }
  }
  return page;
}

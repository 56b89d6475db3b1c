// Every path the viewer server reads comes from a URL, so every one is checked before anything is opened:
// each decoded segment must be a plain name (no "..", ".", empty, "/", "\" or NUL), the joined path must stay
// inside the root lexically, and its realpath (symlinks followed) must too. Anything else is "not found",
// decided with lstat/realpath only: a refused path is never read.
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';

/** The path part of a raw request URL, split on "/" and percent-decoded segment by segment (no normalising). */
export function splitRequestPath(rawUrl: string): { segments: string[]; query: URLSearchParams } | undefined {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
  if (!path.startsWith('/')) return undefined;
  const raw = path.slice(1).split('/');
  // A trailing slash gives one empty last segment: "/api/runs/" is "/api/runs".
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
  const segments: string[] = [];
  for (const part of raw) {
    try {
      segments.push(decodeURIComponent(part));
    } catch {
      return undefined; // malformed percent-encoding
    }
  }
  return { segments: segments.length === 1 && segments[0] === '' ? [] : segments, query };
}

/** A single path component that names an entry of a directory and nothing else. */
export function isPlainSegment(segment: string): boolean {
  return (
    segment.length > 0 &&
    segment !== '.' &&
    segment !== '..' &&
    !segment.includes('/') &&
    !segment.includes('\\') &&
    !segment.includes('\0')
  );
}

/** True when `path` is `root` or below it (both absolute, already normalised). */
export function isWithin(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The real path of `root/segments...` when every segment is plain and the real path (symlinks resolved)
 * lies inside `realRoot`; undefined otherwise, or when nothing is there. `realRoot` must itself be a realpath.
 */
export async function resolveInside(realRoot: string, segments: readonly string[]): Promise<string | undefined> {
  if (!segments.every(isPlainSegment)) return undefined;
  const joined = join(realRoot, ...segments);
  if (!isWithin(realRoot, joined)) return undefined;
  let real: string;
  try {
    real = await realpath(joined);
  } catch {
    return undefined;
  }
  return isWithin(realRoot, real) ? real : undefined;
}

/** A run id ("name" or "sweep/cells/3") as its path segments, or undefined when any segment is not plain. */
export function runIdSegments(id: string): string[] | undefined {
  const parts = id.split('/');
  return parts.every(isPlainSegment) ? parts : undefined;
}

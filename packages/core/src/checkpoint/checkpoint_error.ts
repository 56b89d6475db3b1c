// One error type for everything that can go wrong reading or writing tensors on disk, so callers can catch
// it and branch on `kind`, and so every message names the file and the problem in the same shape:
//   checkpoint runs/a/ckpt/step-100.safetensors is corrupt: checksum mismatch (expected 3f.., got 9a..)

export type CheckpointErrorKind =
  /** A file the checkpoint needs does not exist. */
  | 'missing'
  /** A file is shorter than its header or manifest says. */
  | 'truncated'
  /** Bytes are present but wrong: bad header, checksum mismatch, inconsistent offsets. */
  | 'corrupt'
  /** The file is valid but uses a dtype or format version this code cannot read. */
  | 'unsupported'
  /** The file is valid but its tensors are not the ones the caller expected. */
  | 'mismatch'
  /** The operating system refused a read or write. */
  | 'io';

export interface TensorSetMismatch {
  missing: string[];
  unexpected: string[];
  shapeMismatches: Array<{ name: string; expected: number[]; found: number[] }>;
}

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';

  constructor(
    /** The file (or directory) the problem is about. */
    readonly path: string,
    /** The problem, phrased to follow the path: "is truncated: 10 bytes, manifest says 96". */
    readonly reason: string,
    readonly kind: CheckpointErrorKind,
    options: { subject?: string; cause?: unknown; mismatch?: TensorSetMismatch } = {},
  ) {
    super(`${options.subject ?? 'checkpoint'} ${path} ${reason}`, { cause: options.cause });
    this.mismatch = options.mismatch;
  }

  /** Set when kind is 'mismatch': the names and shapes that differ. */
  readonly mismatch: TensorSetMismatch | undefined;
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Compares the tensors found against those expected. Shared by loadCheckpoint and Module.loadStateDict so
 * the two report problems the same way.
 */
export function compareTensorShapes(
  expected: Readonly<Record<string, readonly number[]>>,
  found: Readonly<Record<string, readonly number[]>>,
): TensorSetMismatch {
  const missing = Object.keys(expected).filter((name) => !Object.hasOwn(found, name));
  const unexpected = Object.keys(found).filter((name) => !Object.hasOwn(expected, name));
  const shapeMismatches: TensorSetMismatch['shapeMismatches'] = [];
  for (const [name, want] of Object.entries(expected)) {
    const got = Object.hasOwn(found, name) ? found[name] : undefined;
    if (got === undefined) continue;
    if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
      shapeMismatches.push({ name, expected: [...want], found: [...got] });
    }
  }
  return { missing, unexpected, shapeMismatches };
}

export function isEmptyMismatch(m: TensorSetMismatch): boolean {
  return m.missing.length === 0 && m.unexpected.length === 0 && m.shapeMismatches.length === 0;
}

/** "missing 2 tensors (a, b); unexpected 1 tensor (c); shape mismatch: d expected [2, 3], found [3, 2]" */
export function describeMismatch(m: TensorSetMismatch): string {
  const plural = (n: number) => `${n} tensor${n === 1 ? '' : 's'}`;
  const parts: string[] = [];
  if (m.missing.length > 0) parts.push(`missing ${plural(m.missing.length)} (${m.missing.join(', ')})`);
  if (m.unexpected.length > 0) parts.push(`unexpected ${plural(m.unexpected.length)} (${m.unexpected.join(', ')})`);
  for (const s of m.shapeMismatches) {
    parts.push(`shape mismatch: ${s.name} expected ${formatShape(s.expected)}, found ${formatShape(s.found)}`);
  }
  return parts.join('; ');
}

// Keeping a native library's messages out of stderr (Node on Linux only). Native code writes to file
// descriptor 2 directly, below Node's streams, so the only place to stop it is the descriptor itself: for
// the duration of a synchronous call, fd 2 is pointed at /dev/null, then back at the original stream.
// Where routelab's native module is built it brings dup and dup2, and the swap is exact whatever stderr is
// (the same open file description comes back). Without it, Node has no dup2, so "back" is a fresh open of
// /proc/self/fd/<copy>: the same terminal, pipe or file, but
// a new open file description. That is harmless for terminals and pipes, and for files opened for appending;
// for a file opened without O_APPEND (`2> log`) another descriptor sharing its offset would overwrite what
// was written after the swap, so such stderr is left alone (the messages then go to the file).
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { loadNativeBlas } from './native_blas_node.ts';

const STDERR = 2;
const O_APPEND = 0o2000; // Linux's value, as /proc/self/fdinfo prints flags (octal)

function isOpen(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

/** Whether fd 2 can be swapped out and back without losing or reordering anything. */
function canSwapStderr(): boolean {
  // The descriptor table is the process's: one thread at a time (workers' stderr goes through the main thread).
  if (process.platform !== 'linux' || !isMainThread) return false;
  // After close(2), open() must get 2 back: fds 0 and 1 must be taken.
  if (!isOpen(0) || !isOpen(1)) return false;
  try {
    const stat = fstatSync(STDERR);
    if (stat.isCharacterDevice() || stat.isFIFO()) return true;
    if (!stat.isFile()) return false; // sockets cannot be reopened through /proc
    const flags = /^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${STDERR}`, 'utf8'))?.[1];
    return flags !== undefined && (parseInt(flags, 8) & O_APPEND) !== 0;
  } catch {
    return false;
  }
}

/** Reopens what `copy` refers to as fd 2 (the lowest free descriptor once 2 is closed). */
function reopenAsStderr(copy: number): boolean {
  return openSync(`/proc/self/fd/${copy}`, constants.O_WRONLY | constants.O_APPEND | constants.O_NOCTTY) === STDERR;
}

/**
 * Runs `fn` (synchronous) with fd 2 pointed at /dev/null, so that what native code prints meanwhile is
 * dropped; anywhere the swap is not safe (see above), just runs `fn`.
 */
export function withStderrSilenced<T>(fn: () => T): T {
  const native = loadNativeBlas().gemm;
  if (native?.dup && native.dup2 && process.platform === 'linux' && isMainThread) return withDup2(native.dup, native.dup2, fn);
  if (!canSwapStderr()) return fn();
  let copy: number;
  try {
    copy = openSync(`/proc/self/fd/${STDERR}`, constants.O_WRONLY | constants.O_APPEND | constants.O_NOCTTY);
  } catch {
    return fn();
  }
  let silenced = false;
  try {
    closeSync(STDERR);
    const devNull = openSync('/dev/null', constants.O_WRONLY);
    silenced = devNull === STDERR;
    if (!silenced) {
      // Another thread took fd 2 in between: give back what we opened and restore stderr if we can.
      closeSync(devNull);
      if (!isOpen(STDERR)) reopenAsStderr(copy);
    }
  } catch {
    if (!isOpen(STDERR)) reopenAsStderr(copy);
  }
  try {
    return fn();
  } finally {
    if (silenced) {
      closeSync(STDERR);
      reopenAsStderr(copy);
    }
    closeSync(copy);
  }
}

/** The exact swap: fd 2 duplicated, pointed at /dev/null for `fn`, then pointed back at the duplicate. */
function withDup2<T>(dup: (fd: number) => number, dup2: (from: number, to: number) => number, fn: () => T): T {
  let saved: number;
  try {
    saved = dup(STDERR);
  } catch {
    return fn();
  }
  try {
    const devNull = openSync('/dev/null', constants.O_WRONLY);
    try {
      dup2(devNull, STDERR);
    } finally {
      closeSync(devNull);
    }
    return fn();
  } finally {
    dup2(saved, STDERR);
    closeSync(saved);
  }
}

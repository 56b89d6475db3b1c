// metrics.jsonl: one JSON object per event, appended with a synchronous write per line so that a crash of
// the process loses nothing already emitted (the bytes are in the kernel), and fsynced at most once a second
// (and on close) so that a power loss loses at most about a second of lines, the last possibly torn.
import { closeSync, fdatasyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { MetricEvent } from '@routelab/core';
import { errorCode } from './errors.ts';
import { isPlainObject, toJsonLine } from './json_text.ts';

const SYNC_INTERVAL_MS = 1000;

export class MetricsLog {
  private fd: number | undefined;
  private lastSync = Date.now();
  private unsynced = false;

  private constructor(
    readonly path: string,
    fd: number,
    /** Complete lines in the file. */
    private lineCount: number,
  ) {
    this.fd = fd;
  }

  /** Opens a new, empty log. */
  static create(path: string): MetricsLog {
    return new MetricsLog(path, openSync(path, 'wx'), 0);
  }

  /**
   * Opens an existing log for a resumed run. Lines past `keepLines` (emitted after the last checkpoint, by
   * work the resumed run does again) and a torn last line are moved to `supersededPath`, so the log reads as
   * if the run had never stopped.
   */
  static resume(path: string, keepLines: number, supersededPath: string): { log: MetricsLog; superseded: number } {
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') throw err;
    }
    let offset = 0;
    let kept = 0;
    while (kept < keepLines) {
      const end = text.indexOf('\n', offset);
      if (end < 0) break;
      offset = end + 1;
      kept++;
    }
    const tail = text.slice(offset);
    let superseded = 0;
    if (tail.length > 0) {
      const lines = tail.endsWith('\n') ? tail : `${tail}\n`;
      superseded = lines.split('\n').length - 1;
      const sfd = openSync(supersededPath, 'a');
      try {
        writeSync(sfd, lines);
        fdatasyncSync(sfd);
      } finally {
        closeSync(sfd);
      }
    }
    const fd = openSync(path, 'a');
    if (tail.length > 0) {
      ftruncateSync(fd, Buffer.byteLength(text.slice(0, offset)));
      fdatasyncSync(fd);
    }
    return { log: new MetricsLog(path, fd, kept), superseded };
  }

  get lines(): number {
    return this.lineCount;
  }

  append(event: MetricEvent): void {
    if (this.fd === undefined) throw new Error(`metrics log ${this.path} is closed`);
    if (!isPlainObject(event) || typeof event.kind !== 'string') {
      throw new TypeError(`emit: an event must be an object with a string "kind", got ${JSON.stringify(event)}`);
    }
    // The timestamp leads the line; an event's own "timestamp" field, if it has one, wins.
    const line = toJsonLine({ timestamp: new Date().toISOString(), ...event });
    writeSync(this.fd, line);
    this.lineCount++;
    this.unsynced = true;
    if (Date.now() - this.lastSync >= SYNC_INTERVAL_MS) this.sync();
  }

  sync(): void {
    if (this.fd === undefined || !this.unsynced) return;
    fdatasyncSync(this.fd);
    this.unsynced = false;
    this.lastSync = Date.now();
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      this.sync();
    } finally {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

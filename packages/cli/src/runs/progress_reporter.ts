// Progress of a run: a cli-progress bar per phase on a terminal, plain lines otherwise (logs, CI, pipes):
//   [routed seed 1] 120/400 loss=0.0312
// at most one line every 2 s unless the phase changes, another 10% is done, or the phase completes.
import cliProgress from 'cli-progress';
import type { ProgressUpdate } from '@routelab/core';

/** Where a run's messages and progress go: a stream, or anything with `write` (tests capture it). */
export interface LogStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressReporter {
  update(update: ProgressUpdate): void;
  /** Prints a whole line, moving any bar out of the way. */
  message(text: string): void;
  /** Ends the current bar (leaving its last state on screen). */
  stop(): void;
}

export function createProgressReporter(stream: LogStream, options: { intervalMs?: number } = {}): ProgressReporter {
  return stream.isTTY === true ? new BarReporter(stream) : new LineReporter(stream, options.intervalMs ?? 2000);
}

export function formatInfo(info: ProgressUpdate['info']): string {
  if (!info) return '';
  return Object.entries(info)
    .map(([key, value]) => `${key}=${typeof value === 'number' ? formatNumber(value) : value}`)
    .join(' ');
}

function formatNumber(value: number): string {
  if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

class LineReporter implements ProgressReporter {
  private phase: string | undefined;
  private lastTime = 0;
  private lastFraction = 0;

  constructor(
    private readonly stream: LogStream,
    private readonly intervalMs: number,
  ) {}

  update(u: ProgressUpdate): void {
    const now = Date.now();
    const fraction = u.total > 0 ? u.done / u.total : 0;
    const due =
      u.phase !== this.phase ||
      u.done >= u.total ||
      now - this.lastTime >= this.intervalMs ||
      fraction - this.lastFraction >= 0.1 - 1e-9;
    if (!due) return;
    this.phase = u.phase;
    this.lastTime = now;
    this.lastFraction = fraction;
    const info = formatInfo(u.info);
    this.stream.write(`[${u.phase}] ${u.done}/${u.total}${info ? ` ${info}` : ''}\n`);
  }

  message(text: string): void {
    this.stream.write(`${text}\n`);
  }

  stop(): void {
    this.phase = undefined;
  }
}

class BarReporter implements ProgressReporter {
  private bar: cliProgress.SingleBar | undefined;
  private phase: string | undefined;

  constructor(private readonly stream: LogStream) {}

  update(u: ProgressUpdate): void {
    const payload = { phase: u.phase, info: formatInfo(u.info) };
    if (this.bar === undefined || u.phase !== this.phase) {
      this.stop();
      this.phase = u.phase;
      this.bar = new cliProgress.SingleBar({
        stream: this.stream as NodeJS.WritableStream,
        format: '[{phase}] {bar} {value}/{total} {info} | ETA {eta_formatted}',
        barsize: 30,
        hideCursor: false,
        // The runner handles SIGINT / SIGTERM itself; the bar must not add listeners of its own.
        gracefulExit: false,
        etaBuffer: 50,
      });
      this.bar.start(u.total, u.done, payload);
      return;
    }
    if (this.bar.getTotal() !== u.total) this.bar.setTotal(u.total);
    this.bar.update(u.done, payload);
  }

  message(text: string): void {
    this.stop();
    this.stream.write(`${text}\n`);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
    this.phase = undefined;
  }
}

// Progress of a run: a cli-progress bar per running phase on a terminal, plain lines otherwise (logs, CI,
// pipes):
//   [routed seed 1] 120/400 loss=0.0312
// per phase at most one line every 2 s unless the phase is new, another 10% is done, or it completes.
// Phases may interleave (parts running in parallel workers report through one reporter): each phase keeps
// its own bar and its own line schedule.
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
  /** Per phase: when its last line was written and how far it was. */
  private readonly shown = new Map<string, { time: number; fraction: number }>();

  constructor(
    private readonly stream: LogStream,
    private readonly intervalMs: number,
  ) {}

  update(u: ProgressUpdate): void {
    const now = Date.now();
    const fraction = u.total > 0 ? u.done / u.total : 0;
    const last = this.shown.get(u.phase);
    const due = !last || u.done >= u.total || now - last.time >= this.intervalMs || fraction - last.fraction >= 0.1 - 1e-9;
    if (!due) return;
    if (u.done >= u.total) this.shown.delete(u.phase); // a phase that runs again starts afresh
    else this.shown.set(u.phase, { time: now, fraction });
    const info = formatInfo(u.info);
    this.stream.write(`[${u.phase}] ${u.done}/${u.total}${info ? ` ${info}` : ''}\n`);
  }

  message(text: string): void {
    this.stream.write(`${text}\n`);
  }

  stop(): void {
    this.shown.clear();
  }
}

class BarReporter implements ProgressReporter {
  private multibar: cliProgress.MultiBar | undefined;
  private readonly bars = new Map<string, cliProgress.SingleBar>();

  constructor(private readonly stream: LogStream) {}

  private board(): cliProgress.MultiBar {
    this.multibar ??= new cliProgress.MultiBar({
      stream: this.stream as NodeJS.WritableStream,
      format: '[{phase}] {bar} {value}/{total} {info} | ETA {eta_formatted}',
      barsize: 30,
      hideCursor: false,
      // The runner handles SIGINT / SIGTERM itself; the bars must not add listeners of their own.
      gracefulExit: false,
      etaBuffer: 50,
    });
    return this.multibar;
  }

  update(u: ProgressUpdate): void {
    const payload = { phase: u.phase, info: formatInfo(u.info) };
    let bar = this.bars.get(u.phase);
    if (!bar) {
      bar = this.board().create(u.total, u.done, payload);
      this.bars.set(u.phase, bar);
    } else {
      if (bar.getTotal() !== u.total) bar.setTotal(u.total);
      bar.update(u.done, payload);
    }
    if (u.done >= u.total) {
      // A finished phase leaves its bar as a line above the running ones.
      this.board().remove(bar);
      this.bars.delete(u.phase);
      this.board().log(`[${u.phase}] ${u.done}/${u.total}${payload.info ? ` ${payload.info}` : ''}\n`);
    }
  }

  message(text: string): void {
    if (this.multibar) this.multibar.log(`${text}\n`);
    else this.stream.write(`${text}\n`);
  }

  stop(): void {
    // stop() does not write lines still waiting in the log buffer; a redraw does.
    this.multibar?.update();
    this.multibar?.stop();
    this.multibar = undefined;
    this.bars.clear();
  }
}

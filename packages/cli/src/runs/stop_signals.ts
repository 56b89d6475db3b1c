// Ctrl-C and SIGTERM during a run. The first signal only sets a flag: the experiment sees stopRequested(),
// saves a checkpoint and throws StopRequested, and the run can be resumed. A second signal means "now": the
// handler gets to write down that the run was interrupted, then the process exits at once.
//
// Signals are handled by the event loop, so an experiment whose steps never yield to it (only synchronous
// tfjs ops and microtasks) sees the request only at its next await of real I/O, such as a checkpoint save.

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Conventional exit statuses: 128 + the signal number. */
export const SIGNAL_EXIT_CODES: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export interface StopControllerOptions {
  /** Listen to SIGINT and SIGTERM (a CLI run); false for library use that stops through `abortSignal`. */
  handleSignals: boolean;
  /** Aborting it requests a stop like a first Ctrl-C. */
  abortSignal?: AbortSignal;
  onFirstSignal(signal: StopSignal | 'abort'): void;
  /** Called on a second signal; must not return (it exits the process). */
  onSecondSignal(signal: StopSignal): never;
}

export class StopController {
  private requestedBy: StopSignal | 'abort' | undefined;
  private readonly cleanups: Array<() => void> = [];

  constructor(private readonly options: StopControllerOptions) {
    if (options.handleSignals) {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        const handler = () => this.onSignal(signal);
        process.on(signal, handler);
        this.cleanups.push(() => process.off(signal, handler));
      }
    }
    const abort = options.abortSignal;
    if (abort) {
      const handler = () => this.request('abort');
      if (abort.aborted) handler();
      else abort.addEventListener('abort', handler, { once: true });
      this.cleanups.push(() => abort.removeEventListener('abort', handler));
    }
  }

  requested(): boolean {
    return this.requestedBy !== undefined;
  }

  /** What asked to stop, if anything did. */
  get cause(): StopSignal | 'abort' | undefined {
    return this.requestedBy;
  }

  /** The exit status for a run that stopped on request: 143 after SIGTERM, else 130. */
  exitCode(): number {
    return this.requestedBy === 'SIGTERM' ? SIGNAL_EXIT_CODES.SIGTERM : SIGNAL_EXIT_CODES.SIGINT;
  }

  /** Removes the listeners, restoring the process's previous signal behaviour. */
  dispose(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  private onSignal(signal: StopSignal): void {
    if (this.requestedBy !== undefined && this.requestedBy !== 'abort') this.options.onSecondSignal(signal);
    this.request(signal);
  }

  private request(cause: StopSignal | 'abort'): void {
    if (this.requestedBy !== undefined) return;
    this.requestedBy = cause;
    this.options.onFirstSignal(cause);
  }
}

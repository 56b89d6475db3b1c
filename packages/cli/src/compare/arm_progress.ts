// The live view of `routelab compare`: one line per arm. On a terminal, a cli-progress bar per arm (cells
// finished of the arm's seeds, with what its running cell is doing); elsewhere, a plain line whenever a cell
// finishes or, at most every few seconds, as a cell progresses.
import cliProgress from 'cli-progress';
import type { ProgressUpdate } from '@routelab/core';

export class ArmProgressView {
  private readonly multibar?: cliProgress.MultiBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();
  private readonly finished = new Map<string, number>();
  private lastLine = 0;

  constructor(
    arms: readonly string[],
    private readonly seeds: number,
    private readonly stream: NodeJS.WriteStream = process.stdout,
    private readonly armOf: (cellId: string) => string,
  ) {
    const width = Math.max(...arms.map((a) => a.length));
    if (stream.isTTY) {
      this.multibar = new cliProgress.MultiBar(
        { format: `{arm} [{bar}] {value}/{total} cells  {phase}`, hideCursor: true, clearOnComplete: false, stream },
        cliProgress.Presets.shades_classic,
      );
      for (const arm of arms) this.bars.set(arm, this.multibar.create(seeds, 0, { arm: arm.padEnd(width), phase: 'waiting' }));
    }
    for (const arm of arms) this.finished.set(arm, 0);
  }

  progress(cellId: string, update: ProgressUpdate): void {
    const arm = this.armOf(cellId);
    const phase = `${cellId.replace(/^arm=[^,]*,?/, '')} ${update.phase} ${update.done}/${update.total}`;
    const bar = this.bars.get(arm);
    if (bar) return bar.update(this.finished.get(arm) ?? 0, { phase });
    const now = Date.now();
    if (now - this.lastLine > 5000) {
      this.lastLine = now;
      this.stream.write(`[${arm}] ${phase}\n`);
    }
  }

  cellDone(cellId: string, status: string, error?: string): void {
    const arm = this.armOf(cellId);
    const done = (this.finished.get(arm) ?? 0) + (status === 'finished' ? 1 : 0);
    this.finished.set(arm, done);
    const bar = this.bars.get(arm);
    const note = status === 'finished' ? (done === this.seeds ? 'done' : 'cell done') : `${status}${error ? `: ${error}` : ''}`;
    if (bar) bar.update(done, { phase: note });
    else this.stream.write(`[${arm}] ${cellId}: ${status}${error ? ` (${error})` : ''} (${done}/${this.seeds} cells)\n`);
  }

  stop(): void {
    this.multibar?.stop();
  }
}

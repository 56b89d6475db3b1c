// Runs a prepared sweep's cells locally on the worker pool (default: one worker per core). A finished cell
// is not run again; an interrupted one is resumed. Failures are recorded per cell; the others finish.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProgressUpdate } from '@routelab/core';
import { runPool } from '../pool/worker_pool.ts';
import type { CellOutcome } from '../pool/worker_pool.ts';
import type { CellRunResult, CellRunSpec } from './cell_worker.ts';
import type { PreparedSweep } from './sweep_dir.ts';

export interface RunCellsOptions {
  workers?: number;
  plugins?: string[];
  onProgress?: (cellId: string, update: ProgressUpdate) => void;
  onOutcome?: (cellId: string, outcome: CellOutcome<CellRunResult>) => void;
  stopRequested?: () => boolean;
}

async function cellStatus(runDir: string): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(join(runDir, 'manifest.json'), 'utf8')) as { status?: string }).status;
  } catch {
    return undefined;
  }
}

export async function runSweepCells(
  sweep: PreparedSweep,
  options: RunCellsOptions = {},
): Promise<{ skipped: string[]; outcomes: CellOutcome<CellRunResult>[] }> {
  const skipped: string[] = [];
  const tasks: { id: string; spec: CellRunSpec }[] = [];
  for (const cell of sweep.cells) {
    if ((await cellStatus(cell.runDir)) === 'finished') {
      skipped.push(cell.id);
      continue;
    }
    tasks.push({
      id: cell.id,
      spec: {
        experiment: sweep.spec.experiment,
        ...(sweep.spec.preset ? { preset: sweep.spec.preset } : {}),
        configFile: cell.configFile,
        runDir: cell.runDir,
        backend: sweep.spec.backend,
        plugins: options.plugins ?? [],
      },
    });
  }
  const outcomes = await runPool<CellRunSpec, CellRunResult>(tasks, {
    workerModule: new URL('./cell_worker.ts', import.meta.url),
    ...(options.workers ? { workers: options.workers } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.stopRequested ? { stopRequested: options.stopRequested } : {}),
    onOutcome: (o) => options.onOutcome?.(o.id, o as CellOutcome<CellRunResult>),
  });
  return { skipped, outcomes };
}

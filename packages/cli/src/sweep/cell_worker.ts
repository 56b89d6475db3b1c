// Pool worker: runs one sweep cell as an ordinary run in its own directory (resuming it if a previous
// attempt was interrupted; a finished cell is left alone).
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { exposeCell } from '../pool/cell_protocol.ts';
import { findExperiment } from '../experiments.ts';
import { resumeRun, runExperiment } from '../runs/index.ts';
import { importSetupModules } from '../setup_modules.ts';

export interface CellRunSpec {
  experiment: string;
  preset?: string;
  configFile: string;
  runDir: string;
  backend: string;
  plugins: string[];
}

export interface CellRunResult {
  status: 'finished' | 'failed' | 'interrupted';
  error?: string;
}

await importSetupModules();

const quiet = { write: () => true };

exposeCell<CellRunSpec, CellRunResult>(async (spec, ctx) => {
  const abort = new AbortController();
  const poll = setInterval(() => ctx.stopRequested() && abort.abort(), 100);
  // workers 1: the pool already puts a cell on every core, so a cell's own parts run in its thread.
  const control = { log: quiet, handleSignals: false, abortSignal: abort.signal, onProgress: ctx.onProgress, workers: 1 };
  try {
    let started = false;
    try {
      await access(join(spec.runDir, 'manifest.json'));
      started = true;
    } catch {
      // a fresh cell
    }
    const outcome = started
      ? await resumeRun(spec.runDir, control)
      : await runExperiment(findExperiment(spec.experiment), {
          ...(spec.preset ? { preset: spec.preset } : {}),
          configFile: spec.configFile,
          out: spec.runDir,
          backend: spec.backend,
          plugins: spec.plugins,
          ...control,
        });
    if (outcome.status === 'interrupted') {
      const err = new Error('stopped on request');
      err.name = 'StopRequested';
      throw err;
    }
    return { status: outcome.status, ...(outcome.error ? { error: outcome.error } : {}) };
  } finally {
    clearInterval(poll);
  }
});

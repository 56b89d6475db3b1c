// Experiments with parts (Experiment.parts) run them on worker threads: the report is the one a single
// thread gives, Ctrl-C checkpoints every running part and resume finishes them, and a failing part fails
// the run by name while the other parts finish. linreg-parts is linreg with one part per seed.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExperiment } from '../src/runs/index.ts';
import { linregExperiment } from './fixtures/linreg_experiment.ts';
import { captureLog, makeTempDir, metricsWithoutTimestamps, readJson, runCli, startCli } from './fixtures/run_helpers.ts';

// Part workers find linreg-parts the way a researcher's own experiment is found: ROUTELAB_SETUP_MODULES.
const setup = { ROUTELAB_SETUP_MODULES: fileURLToPath(new URL('./fixtures/register_linreg.ts', import.meta.url)) };
const slow = { ...setup, LINREG_STEP_DELAY_MS: '4' };

let tmp: ReturnType<typeof makeTempDir>;
let referenceReport: string;
let referenceMetrics: unknown[];

/** Parallel parts interleave their lines; compare them as a multiset. */
const sorted = (lines: unknown[]) => lines.map((l) => JSON.stringify(l)).sort();

beforeAll(async () => {
  tmp = makeTempDir();
  const outcome = await runExperiment(linregExperiment, { backend: 'cpu', out: join(tmp.dir, 'reference'), handleSignals: false, log: captureLog(), workers: 1 });
  referenceReport = readFileSync(join(outcome.runDir, 'report.json'), 'utf8');
  referenceMetrics = metricsWithoutTimestamps(join(outcome.runDir, 'metrics.jsonl'));
});
afterAll(() => tmp.cleanup());

describe('parts on worker threads', () => {
  it('runs both seeds on 2 workers and reports exactly what one thread reports', async () => {
    const out = join(tmp.dir, 'parallel');
    const r = await runCli(['run', 'linreg-parts', '--backend', 'cpu', '--workers', '2', '--out', out, '--json'], setup);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/2 parts on 2 worker threads/);
    expect(r.stdout).toBe(referenceReport);
    expect(sorted(metricsWithoutTimestamps(join(out, 'metrics.jsonl')))).toEqual(sorted(referenceMetrics));
    expect(readJson(join(out, 'manifest.json'))).toMatchObject({ status: 'finished', experiment: 'linreg-parts' });
  });

  it('--workers 1 runs the parts in the command\'s own thread, with the same report', async () => {
    const r = await runCli(['run', 'linreg-parts', '--backend', 'cpu', '--workers', '1', '--out', join(tmp.dir, 'one'), '--json'], setup);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/worker threads/);
    expect(r.stdout).toBe(referenceReport);
  });

  it('Ctrl-C checkpoints the running parts (exit 130); resume on 2 workers ends with the same report', async () => {
    const out = join(tmp.dir, 'sigint');
    const cli = startCli(['run', 'linreg-parts', '--backend', 'cpu', '--workers', '2', '--out', out], slow);
    await cli.signalAfterLines(join(out, 'metrics.jsonl'), 4, 'SIGINT');
    const stopped = await cli.done;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(readJson(join(out, 'manifest.json'))).toMatchObject({ status: 'interrupted' });
    expect(existsSync(join(out, 'report.json'))).toBe(false);
    // Each part saved a checkpoint when asked to stop (unless it had finished already).
    for (const seed of [1, 2]) {
      const saved = existsSync(join(out, 'checkpoints', `seed-${seed}.manifest.json`)) || existsSync(join(out, 'results', `seed-${seed}.json`));
      expect(saved, `seed-${seed} left nothing to resume from`).toBe(true);
    }

    const resumed = await runCli(['resume', out, '--workers', '2', '--json'], setup);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toBe(referenceReport);
    expect(sorted(metricsWithoutTimestamps(join(out, 'metrics.jsonl')))).toEqual(sorted(referenceMetrics));
  });

  it('a failing part fails the run naming it (exit 1); the other part finishes and is kept', async () => {
    const out = join(tmp.dir, 'failing');
    const config = join(tmp.dir, 'fail.json');
    writeFileSync(config, JSON.stringify({ failAtStep: 30 }));
    const r = await runCli(['run', 'linreg-parts', '--backend', 'cpu', '--workers', '2', '--config', config, '--out', out], setup);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/run failed: part seed-1: linreg diverged on purpose at step 30/);
    expect(readJson(join(out, 'manifest.json'))).toMatchObject({ status: 'failed' });
    expect(existsSync(join(out, 'results', 'seed-2.json'))).toBe(true);
  });
});

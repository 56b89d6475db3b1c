// `routelab run` / `routelab resume` end to end, as child processes (test/fixtures/routelab_with_linreg.ts is
// the routelab command with the linreg test experiment registered): real signals, real exit statuses.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExperiment } from '../src/runs/index.ts';
import { linregExperiment } from './fixtures/linreg_experiment.ts';
import { captureLog, makeTempDir, metricsWithoutTimestamps, readJson, runCli, startCli } from './fixtures/run_helpers.ts';

let tmp: ReturnType<typeof makeTempDir>;
/** An uninterrupted in-process run of the default preset: what every resumed run must end up equal to. */
let reference: string;

beforeAll(async () => {
  tmp = makeTempDir();
  const outcome = await runExperiment(linregExperiment, { backend: 'cpu', out: join(tmp.dir, 'reference'), handleSignals: false, log: captureLog() });
  reference = outcome.runDir;
});
afterAll(() => tmp.cleanup());

// Slow enough (400 steps x 4 ms) that a signal sent once metrics appear arrives mid-run.
const slow = { LINREG_STEP_DELAY_MS: '4' };

function expectSameAsReference(dir: string) {
  expect(readFileSync(join(dir, 'report.json'), 'utf8')).toBe(readFileSync(join(reference, 'report.json'), 'utf8'));
  expect(metricsWithoutTimestamps(join(dir, 'metrics.jsonl'))).toEqual(metricsWithoutTimestamps(join(reference, 'metrics.jsonl')));
}

describe('Ctrl-C, SIGTERM and resume', () => {
  it('SIGINT stops at a checkpoint (exit 130, status interrupted); resume finishes exactly like an uninterrupted run', async () => {
    const out = join(tmp.dir, 'sigint');
    const cli = startCli(['run', 'linreg', '--backend', 'cpu', '--out', out], slow);
    await cli.signalAfterLines(join(out, 'metrics.jsonl'), 3, 'SIGINT');
    const stopped = await cli.done;
    expect({ code: stopped.code, out: stopped.stdout }).toMatchObject({
      code: 130,
      out: expect.stringMatching(/SIGINT: stopping at the experiment's next checkpoint[\s\S]*interrupted: .*; continue it with: routelab resume /),
    });
    const manifest = readJson(join(out, 'manifest.json')) as { status: string; finishedAt: string | null };
    expect(manifest.status).toBe('interrupted');
    expect(manifest.finishedAt).not.toBeNull();
    expect(existsSync(join(out, 'report.json'))).toBe(false);

    const resumed = await runCli(['resume', out, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming .* \(interrupted\)/);
    expect(resumed.stdout).toBe(readFileSync(join(reference, 'report.json'), 'utf8'));
    expectSameAsReference(out);
    expect(readJson(join(out, 'manifest.json'))).toMatchObject({ status: 'finished', resumes: [{ fromStatus: 'interrupted' }] });

    // Resuming a finished run changes nothing: exit 0, and --json prints its report again.
    const again = await runCli(['resume', out, '--json']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/already finished at .*; nothing to resume/);
    expect(again.stdout).toBe(readFileSync(join(reference, 'report.json'), 'utf8'));
  });

  it('SIGTERM exits 143 with status interrupted', async () => {
    const out = join(tmp.dir, 'sigterm');
    const cli = startCli(['run', 'linreg', '--backend', 'cpu', '--out', out, '--json'], slow);
    await cli.signalAfterLines(join(out, 'metrics.jsonl'), 2, 'SIGTERM');
    const stopped = await cli.done;
    expect(stopped.code, stopped.stderr).toBe(143);
    expect(stopped.stdout).toBe(''); // --json: messages and progress went to stderr, and there is no report
    expect(stopped.stderr).toMatch(/SIGTERM: stopping/);
    expect(readJson(join(out, 'manifest.json'))).toMatchObject({ status: 'interrupted' });
  });

  it('a second Ctrl-C quits at once (exit 130); resume redoes the work past the last checkpoint', async () => {
    const out = join(tmp.dir, 'twice');
    // Checkpoints at steps 25, 50...; the signals come at step 30 or a little later, so the metrics line of
    // step 30 is past the last checkpoint. (checkpointEvery changes no numbers: the reference still applies.)
    const file = join(tmp.dir, 'every25.json');
    writeFileSync(file, JSON.stringify({ checkpointEvery: 25 }));
    // An experiment that does not notice the first request, like one stuck in a long step.
    const cli = startCli(['run', 'linreg', '--backend', 'cpu', '--config', file, '--out', out], { ...slow, LINREG_IGNORE_STOP: '1' });
    await cli.signalAfterLines(join(out, 'metrics.jsonl'), 3, 'SIGINT', 2);
    const stopped = await cli.done;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stdout).toMatch(/SIGINT again: quit at once; the run restarts from its last checkpoint/);
    expect(readJson(join(out, 'manifest.json'))).toMatchObject({ status: 'interrupted' });

    const resumed = await runCli(['resume', out]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/resuming .*\n1 metrics line\(s\) past the last checkpoint moved to .*metrics\.superseded\.jsonl/);
    expect(metricsWithoutTimestamps(join(out, 'metrics.superseded.jsonl'))).toEqual([{ kind: 'train', cell: 'seed-1', step: 30, loss: expect.any(Number) }]);
    expectSameAsReference(out);
  });
});

describe('exit statuses of bad input and failures', () => {
  it('an unknown experiment exits 2 listing the known ones', async () => {
    const r = await runCli(['run', 'mnist-splitt', '--backend', 'cpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/routelab: unknown experiment "mnist-splitt"; known: linreg/);
  });

  it('an invalid config exits 2 before any directory is created', async () => {
    const file = join(tmp.dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ lr: 'NaN' }));
    const out = join(tmp.dir, 'never');
    const r = await runCli(['run', 'linreg', '--config', file, '--out', out, '--backend', 'cpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/config\.lr: .*expected number, received string \(got "NaN"/);
    expect(existsSync(out)).toBe(false);
    const seeds = await runCli(['run', 'linreg', '--seeds', 'two', '--out', out]);
    expect(seeds.code).toBe(2);
    expect(seeds.stderr).toMatch(/--seeds: "two" is not a positive integer/);
  });

  it('a failing experiment exits 1 with its message; the run directory says failed', async () => {
    const file = join(tmp.dir, 'fail.json');
    writeFileSync(file, JSON.stringify({ failAtStep: 30 }));
    const out = join(tmp.dir, 'failed');
    const r = await runCli(['run', 'linreg', '--config', file, '--out', out, '--backend', 'cpu']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/routelab: run failed: linreg diverged on purpose at step 30\n.*manifest status failed/);
    expect(readJson(join(out, 'manifest.json'))).toMatchObject({ status: 'failed', error: 'linreg diverged on purpose at step 30' });
  });

  it('resume: a missing directory exits 2, a corrupt checkpoint exits 1 naming the file', async () => {
    const missing = await runCli(['resume', join(tmp.dir, 'no-such-run')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot resume .*no-such-run: no such directory/);

    const out = join(tmp.dir, 'corrupt');
    const cli = startCli(['run', 'linreg', '--backend', 'cpu', '--out', out], slow);
    await cli.signalAfterLines(join(out, 'metrics.jsonl'), 3, 'SIGINT');
    expect((await cli.done).code).toBe(130);
    const file = join(out, 'checkpoints', 'seed-1.safetensors');
    const bytes = readFileSync(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0x80, bytes.length - 1);
    writeFileSync(file, bytes);
    const corrupt = await runCli(['resume', out]);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/checkpoint .*seed-1\.safetensors is corrupt: checksum mismatch/);
    expect(readJson(join(out, 'manifest.json'))).toMatchObject({ status: 'interrupted' });
  });
});

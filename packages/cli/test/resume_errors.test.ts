// resumeRun's refusals: each names the path, exits 1 or 2 (UsageError / RunFileError / CheckpointError),
// and leaves the run directory exactly as it was.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError } from '@routelab/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.ts';
import { RunFileError, resumeRun, runExperiment } from '../src/runs/index.ts';
import { linregExperiment, linregTiny } from './fixtures/linreg_experiment.ts';
import { captureLog, makeTempDir, quiet, readJson, stoppingAt } from './fixtures/run_helpers.ts';

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.cleanup());

describe('resumeRun refuses, naming the path, and writes nothing', () => {
  const experiments = { linreg: linregExperiment };
  const resume = (dir: string) => resumeRun(dir, { experiments, handleSignals: false, log: captureLog() });

  async function interruptedRun(): Promise<string> {
    const out = join(tmp.dir, 'interrupted');
    const { experiment, abortSignal } = stoppingAt('seed-1', 60);
    const outcome = await runExperiment(experiment, quiet({ out, abortSignal }));
    expect(outcome.status).toBe('interrupted');
    return out;
  }

  /** All files of the run directory with their contents, to check that a refused resume changed nothing. */
  function snapshot(dir: string): Record<string, string> {
    const files: Record<string, string> = {};
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else files[join(d, e.name)] = readFileSync(join(d, e.name), 'base64');
      }
    };
    walk(dir);
    return files;
  }

  it('a missing run directory, and a directory that is not a run', async () => {
    await expect(resume(join(tmp.dir, 'nope'))).rejects.toThrow(/cannot resume .*nope: no such directory/);
    await expect(resume(tmp.dir)).rejects.toThrow(UsageError);
    await expect(resume(tmp.dir)).rejects.toThrow(/not a routelab run directory \(no manifest\.json in it\)/);
  });

  it('a malformed manifest or config', async () => {
    const dir = await interruptedRun();
    const manifest = readFileSync(join(dir, 'manifest.json'), 'utf8');
    writeFileSync(join(dir, 'manifest.json'), manifest.slice(0, 40));
    const before = snapshot(dir);
    const err = await resume(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunFileError);
    expect((err as Error).message).toMatch(/interrupted[/\\]manifest\.json is malformed: not valid JSON: line \d+, column \d+/);
    expect(snapshot(dir)).toEqual(before);

    writeFileSync(join(dir, 'manifest.json'), manifest);
    writeFileSync(join(dir, 'config.json'), '{"steps": 200,');
    await expect(resume(dir)).rejects.toThrow(/config\.json is malformed: not valid JSON/);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...linregTiny, lr: -1 }));
    await expect(resume(dir)).rejects.toThrow(/config\.json does not match experiment "linreg"'s config schema:\n {2}config\.lr: .* \(got -1\)/);
  });

  it('a corrupt checkpoint (one flipped byte) surfaces core\'s CheckpointError naming the file', async () => {
    const dir = await interruptedRun();
    const file = join(dir, 'checkpoints', 'seed-1.safetensors');
    const bytes = readFileSync(file);
    const at = bytes.length - 3;
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0x01, at);
    writeFileSync(file, bytes);
    const before = snapshot(dir);
    const err = await resume(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(/checkpoint .*seed-1\.safetensors is corrupt: checksum mismatch/);
    expect(snapshot(dir)).toEqual(before);
    expect(readJson(join(dir, 'manifest.json'))).toMatchObject({ status: 'interrupted' });
  });

  it('a truncated checkpoint', async () => {
    const dir = await interruptedRun();
    const file = join(dir, 'checkpoints', 'seed-1.safetensors');
    writeFileSync(file, readFileSync(file).subarray(0, 100));
    const before = snapshot(dir);
    await expect(resume(dir)).rejects.toThrow(/checkpoint .*seed-1\.safetensors is truncated: 100 bytes, manifest says \d+/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('a run of an experiment this routelab does not know', async () => {
    const dir = await interruptedRun();
    await expect(resumeRun(dir, { experiments: {}, handleSignals: false, log: captureLog() })).rejects.toThrow(
      /its experiment "linreg" is not known to this routelab; known: \(none registered\)/,
    );
  });

  it('a run that already finished is left alone', async () => {
    const out = join(tmp.dir, 'done');
    await runExperiment(linregExperiment, quiet({ preset: 'short', out }));
    const before = snapshot(out);
    const log = captureLog();
    const outcome = await resumeRun(out, { experiments, handleSignals: false, log });
    expect(outcome).toMatchObject({ status: 'finished', exitCode: 0, alreadyFinished: true });
    expect(outcome.report?.json).toEqual(readJson(join(out, 'report.json')));
    expect(log.text()).toMatch(/run .*done already finished at .*; nothing to resume/);
    expect(snapshot(out)).toEqual(before);
  });

  it('`run --out` into an interrupted run points to resume instead', async () => {
    const dir = await interruptedRun();
    const before = snapshot(dir);
    await expect(runExperiment(linregExperiment, quiet({ out: dir }))).rejects.toThrow(
      /--out .*interrupted: already holds a run \(status interrupted\); continue it with: routelab resume /,
    );
    expect(snapshot(dir)).toEqual(before);
  });

  it('a run whose manifest says running in a live process', async () => {
    const dir = await interruptedRun();
    const manifest = readJson(join(dir, 'manifest.json')) as Record<string, unknown>;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, status: 'running', pid: process.ppid }));
    await expect(resume(dir)).rejects.toThrow(/says it is running \(pid \d+ on .*\) and that process is alive; if it is not, resume with --force/);
  });
});

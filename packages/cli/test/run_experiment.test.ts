// The runner as a library: runExperiment / resumeRun with a small real experiment (linear regression by SGD
// on the cpu backend), what the run directory holds, stopping and resuming, and how bad input is refused.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StopRequested } from '@routelab/core';
import type { Experiment } from '@routelab/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.ts';
import { findExperiment } from '../src/experiments.ts';
import { resumeRun, runExperiment } from '../src/runs/index.ts';
import { linregExperiment, linregSchema, linregTiny, type LinregConfig } from './fixtures/linreg_experiment.ts';
import { captureLog, makeTempDir, metricsWithoutTimestamps, quiet, readJson, stoppingAt } from './fixtures/run_helpers.ts';

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.cleanup());

describe('runExperiment', () => {
  it('writes config, manifest, metrics, checkpoints, results and reports', async () => {
    const out = join(tmp.dir, 'run');
    const log = captureLog();
    const outcome = await runExperiment(linregExperiment, quiet({ out, log }));
    expect(outcome).toMatchObject({ status: 'finished', exitCode: 0, runDir: out });

    expect(readdirSync(out).sort()).toEqual(['checkpoints', 'config.json', 'manifest.json', 'metrics.jsonl', 'report.json', 'report.md', 'results']);
    expect(readJson(join(out, 'config.json'))).toEqual(linregTiny);

    const manifest = readJson(join(out, 'manifest.json')) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      experiment: 'linreg',
      preset: 'tiny',
      routelabVersion: (readJson(new URL('../package.json', import.meta.url).pathname) as { version: string }).version,
      node: process.version,
      backend: { requested: 'cpu', chosen: 'cpu', reason: expect.stringMatching(/requested by name/) },
      seed: 0,
      status: 'finished',
      resumes: [],
    });
    expect(manifest.gitCommit === null || /^[0-9a-f]{40}$/.test(manifest.gitCommit as string)).toBe(true);
    expect(Date.parse(manifest.finishedAt as string)).toBeGreaterThanOrEqual(Date.parse(manifest.startedAt as string));
    expect(manifest.error).toBeUndefined();

    // 200 steps, a train line every 10 steps and an eval line, for each of 2 seeds; each line timestamped.
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2 * (20 + 1));
    for (const line of lines) expect(Date.parse(line.timestamp)).not.toBeNaN();
    expect(lines[0]).toMatchObject({ kind: 'train', cell: 'seed-1', step: 10, loss: expect.any(Number) });
    expect(lines[20]).toMatchObject({ kind: 'eval', cell: 'seed-1', step: 200 });
    expect(lines[0].loss).toBeGreaterThan(lines[19].loss);

    expect(readdirSync(join(out, 'checkpoints')).sort()).toEqual([
      'seed-1.manifest.json',
      'seed-1.safetensors',
      'seed-2.manifest.json',
      'seed-2.safetensors',
    ]);
    const ckpt = readJson(join(out, 'checkpoints', 'seed-2.manifest.json')) as { metadata: { state: { step: number } } };
    expect(ckpt.metadata.state.step).toBe(200);

    const report = readJson(join(out, 'report.json')) as { seeds: Array<{ seed: number; w: number; b: number; loss: number }> };
    expect(report).toEqual(outcome.report!.json);
    expect(report.seeds).toHaveLength(2);
    for (const s of report.seeds) {
      expect(s.w).toBeCloseTo(3, 1);
      expect(s.b).toBeCloseTo(-2, 1);
      expect(readJson(join(out, 'results', `seed-${s.seed}.json`))).toEqual(s);
    }
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/^# linreg\n[\s\S]*\| 2 \| 3\.0\d+ \| -[12]\.\d+ \|/);

    // Plain progress lines, rate-limited: far fewer than one per step.
    const progress = log.text().split('\n').filter((l) => l.startsWith('[seed'));
    expect(progress[0]).toMatch(/^\[seed 1\] 1\/200 loss=\d/);
    expect(progress.some((l) => /^\[seed 2\] 200\/200 loss=/.test(l))).toBe(true);
    expect(progress.length).toBeLessThanOrEqual(2 * 12);
  });

  it('merges --config over the preset, sets seeds, and names the default run directory', async () => {
    const file = join(tmp.dir, 'override.json');
    writeFileSync(file, JSON.stringify({ steps: 30, data: { noise: 0.5 } }));
    const outcome = await runExperiment(linregExperiment, quiet({ configFile: file, seeds: 1, seed: 7, runsRoot: join(tmp.dir, 'runs') }));
    expect(outcome.status).toBe('finished');
    expect(outcome.runDir).toMatch(/[/\\]runs[/\\]linreg-tiny-\d{8}-\d{6}$/);
    expect(readJson(join(outcome.runDir, 'config.json'))).toEqual({
      ...linregTiny,
      steps: 30,
      seeds: 1,
      data: { ...linregTiny.data, noise: 0.5 },
    });
    expect(readJson(join(outcome.runDir, 'manifest.json'))).toMatchObject({ seed: 7 });
    expect(readJson(join(outcome.runDir, 'report.json'))).toMatchObject({ baseSeed: 7, seeds: [{ seed: 1 }] });
    // The same default name again in the same second gets a suffix instead of failing.
    const again = await runExperiment(linregExperiment, quiet({ preset: 'short', runsRoot: join(tmp.dir, 'runs') }));
    expect(again.runDir).not.toBe(outcome.runDir);
  });

  it('a stopped run resumes to exactly the report and metrics of an uninterrupted run', async () => {
    const fresh = await runExperiment(linregExperiment, quiet({ out: join(tmp.dir, 'fresh') }));

    const out = join(tmp.dir, 'stopped');
    const { experiment, abortSignal } = stoppingAt('seed-2', 50);
    const stopped = await runExperiment(experiment, quiet({ out, abortSignal }));
    expect(stopped).toMatchObject({ status: 'interrupted', exitCode: 130 });
    expect(readJson(join(out, 'manifest.json'))).toMatchObject({ status: 'interrupted', metricsLines: 21 + 5 });
    expect(existsSync(join(out, 'results', 'seed-1.json'))).toBe(true);
    expect(existsSync(join(out, 'report.json'))).toBe(false);

    const log = captureLog();
    const resumed = await resumeRun(out, { experiments: { linreg: linregExperiment }, handleSignals: false, log });
    expect(resumed).toMatchObject({ status: 'finished', exitCode: 0 });
    expect(log.text()).toMatch(/resuming .*\(interrupted\).*2 checkpoints verified/);
    expect(readFileSync(join(out, 'report.json'), 'utf8')).toBe(readFileSync(join(fresh.runDir, 'report.json'), 'utf8'));
    expect(metricsWithoutTimestamps(join(out, 'metrics.jsonl'))).toEqual(metricsWithoutTimestamps(join(fresh.runDir, 'metrics.jsonl')));
    expect(readJson(join(out, 'manifest.json'))).toMatchObject({
      status: 'finished',
      resumes: [{ fromStatus: 'interrupted', pid: process.pid }],
    });
  });

  it('a crashed run (status running, its process gone) resumes; lines past the checkpoint are set aside', async () => {
    const fresh = await runExperiment(linregExperiment, quiet({ out: join(tmp.dir, 'fresh') }));
    const out = join(tmp.dir, 'crashed');
    const { experiment, abortSignal } = stoppingAt('seed-1', 60);
    await runExperiment(experiment, quiet({ out, abortSignal }));
    // What a crash after step 75 would have left: two more lines (one torn) and a manifest still "running".
    appendFileSync(join(out, 'metrics.jsonl'), '{"kind":"train","cell":"seed-1","step":70,"loss":1}\n{"kind":"tr');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    const manifest = readJson(join(out, 'manifest.json')) as Record<string, unknown>;
    writeFileSync(join(out, 'manifest.json'), JSON.stringify({ ...manifest, status: 'running', finishedAt: null, pid: gone }));

    const log = captureLog();
    const resumed = await resumeRun(out, { experiments: { linreg: linregExperiment }, handleSignals: false, log });
    expect(resumed.status).toBe('finished');
    expect(log.text()).toMatch(/2 metrics line\(s\) past the last checkpoint moved to .*metrics\.superseded\.jsonl/);
    expect(readFileSync(join(out, 'metrics.superseded.jsonl'), 'utf8')).toBe('{"kind":"train","cell":"seed-1","step":70,"loss":1}\n{"kind":"tr\n');
    expect(readFileSync(join(out, 'report.json'), 'utf8')).toBe(readFileSync(join(fresh.runDir, 'report.json'), 'utf8'));
    expect(metricsWithoutTimestamps(join(out, 'metrics.jsonl'))).toEqual(metricsWithoutTimestamps(join(fresh.runDir, 'metrics.jsonl')));
    expect(readJson(join(out, 'manifest.json'))).toMatchObject({ status: 'finished', resumes: [{ fromStatus: 'running' }] });
  });

  it('a failing experiment leaves status failed with its message, and everything written so far', async () => {
    const out = join(tmp.dir, 'failing');
    const file = join(tmp.dir, 'fail.json');
    writeFileSync(file, JSON.stringify({ failAtStep: 70 }));
    const outcome = await runExperiment(linregExperiment, quiet({ out, configFile: file }));
    expect(outcome).toMatchObject({ status: 'failed', exitCode: 1, error: 'linreg diverged on purpose at step 70' });
    expect(readJson(join(out, 'manifest.json'))).toMatchObject({
      status: 'failed',
      error: 'linreg diverged on purpose at step 70',
      finishedAt: expect.any(String),
    });
    expect(metricsWithoutTimestamps(join(out, 'metrics.jsonl'))).toHaveLength(7);
    expect(existsSync(join(out, 'checkpoints', 'seed-1.safetensors'))).toBe(true);
    expect(existsSync(join(out, 'report.json'))).toBe(false);
  });

  it('SIGINT / SIGTERM listeners are removed when a run returns, however it ends', async () => {
    const counts = () => [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    const before = counts();
    let during: number[] = [];
    const watching: Experiment<LinregConfig> = {
      ...linregExperiment,
      run: (config, ctx) => {
        during = counts();
        return linregExperiment.run(config, ctx);
      },
    };
    await runExperiment(watching, quiet({ preset: 'short', out: join(tmp.dir, 'a'), handleSignals: true }));
    expect(during).toEqual(before.map((n) => n + 1));
    expect(counts()).toEqual(before);
    const failing = { ...watching, run: async () => Promise.reject(new Error('boom')) };
    expect(await runExperiment(failing, quiet({ out: join(tmp.dir, 'b'), handleSignals: true }))).toMatchObject({ status: 'failed', error: 'boom' });
    expect(counts()).toEqual(before);
  });

  it('an experiment that asks for a stop by throwing StopRequested without a signal is interrupted', async () => {
    const experiment: Experiment<LinregConfig> = {
      ...linregExperiment,
      run: async () => {
        throw new StopRequested();
      },
    };
    const outcome = await runExperiment(experiment, quiet({ out: join(tmp.dir, 'x') }));
    expect(outcome).toMatchObject({ status: 'interrupted', exitCode: 130 });
  });
});

describe('bad input to run (nothing is created)', () => {
  const expectUsageError = async (promise: Promise<unknown>, pattern: RegExp) => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(pattern);
    expect(readdirSync(tmp.dir).filter((f) => !f.endsWith('.json'))).toEqual([]);
  };
  const withConfig = (settings: string) => {
    const file = join(tmp.dir, 'settings.json');
    writeFileSync(file, settings);
    return file;
  };
  const out = () => join(tmp.dir, 'run');

  it('an unknown experiment lists the known ones', () => {
    expect(() => findExperiment('mnist', { linreg: linregExperiment })).toThrow(/unknown experiment "mnist"; known: linreg/);
    expect(() => findExperiment('mnist', {})).toThrow(/known: \(none registered\)/);
  });

  it('an unknown preset lists the known ones', async () => {
    await expectUsageError(runExperiment(linregExperiment, quiet({ preset: 'huge', out: out() })), /unknown preset "huge" for experiment "linreg"; known: tiny, short/);
  });

  it('an invalid config names every bad path, its value and what was expected', async () => {
    const file = withConfig(JSON.stringify({ lr: 'NaN', steps: -3, data: { noise: 'lots' } }));
    const err = await runExperiment(linregExperiment, quiet({ configFile: file, out: out() })).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(UsageError);
    const message = (err as Error).message;
    expect(message).toMatch(/invalid config for experiment "linreg" \(preset "tiny" \+ .*settings\.json\)/);
    expect(message).toMatch(/config\.lr: .*expected number, received string \(got "NaN"; JSON has no NaN or Infinity/);
    expect(message).toMatch(/config\.steps: .*expected number to be >0 \(got -3\)/);
    expect(message).toMatch(/config\.data\.noise: .*expected number, received string \(got "lots"; write numbers without quotes\)/);
    expect(existsSync(out())).toBe(false);
  });

  it('a misspelt setting is an error, not silently ignored', async () => {
    await expectUsageError(
      runExperiment(linregExperiment, quiet({ configFile: withConfig('{"learningRate": 0.1, "data": {"nois": 1}}'), out: out() })),
      /config\.learningRate: unknown setting.*\(got 0\.1\)\n.*config\.data\.nois: unknown setting/,
    );
  });

  it('malformed JSON names the file, line and column', async () => {
    await expectUsageError(
      runExperiment(linregExperiment, quiet({ configFile: withConfig('{\n  "lr": 0.1,\n  "steps": 10,\n}\n'), out: out() })),
      /--config .*settings\.json: not valid JSON: line 4, column 1 \(offset \d+\): trailing comma before '}'/,
    );
    await expectUsageError(
      runExperiment(linregExperiment, quiet({ configFile: withConfig('{"lr": NaN}'), out: out() })),
      /line 1, column 8 .*NaN, which JSON does not allow/,
    );
  });

  it('a missing config file, or one that is not an object', async () => {
    await expectUsageError(runExperiment(linregExperiment, quiet({ configFile: join(tmp.dir, 'nope.json'), out: out() })), /--config .*nope\.json: cannot read it: no such file/);
    await expectUsageError(runExperiment(linregExperiment, quiet({ configFile: withConfig('[1, 2]'), out: out() })), /must hold a JSON object of settings, got an array/);
  });

  it('--seeds on an experiment without a seeds setting', async () => {
    const { seeds: _seeds, ...noSeeds } = linregTiny;
    const experiment = { ...linregExperiment, configSchema: linregSchema.omit({ seeds: true }), presets: { tiny: noSeeds } };
    await expectUsageError(runExperiment(experiment, quiet({ seeds: 3, out: out() })), /--seeds: experiment "linreg" has no "seeds" setting/);
  });

  it('an unknown backend', async () => {
    await expectUsageError(runExperiment(linregExperiment, quiet({ backend: 'cuda', out: out() })), /--backend: Unknown backend "cuda"/);
  });

  it('an existing non-empty directory, and a parent that is a file', async () => {
    const dir = join(tmp.dir, 'busy');
    const first = await runExperiment(linregExperiment, quiet({ preset: 'short', out: dir }));
    expect(first.status).toBe('finished');
    const before = readFileSync(join(dir, 'manifest.json'), 'utf8');
    await expect(runExperiment(linregExperiment, quiet({ out: dir }))).rejects.toThrow(/--out .*busy: already holds a run \(status finished\); choose another directory/);
    expect(readFileSync(join(dir, 'manifest.json'), 'utf8')).toBe(before);
    writeFileSync(join(tmp.dir, 'file'), 'x');
    await expect(runExperiment(linregExperiment, quiet({ out: join(tmp.dir, 'file', 'run') }))).rejects.toThrow(/--out .*file[/\\]run: .*file is not a directory/);
  });

  it.skipIf(process.getuid?.() === 0)('a parent directory that is not writable', async () => {
    const { chmodSync, mkdirSync } = await import('node:fs');
    const locked = join(tmp.dir, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    try {
      await expect(runExperiment(linregExperiment, quiet({ out: join(locked, 'run') }))).rejects.toThrow(/cannot create the run directory: .*locked is not writable/);
    } finally {
      chmodSync(locked, 0o755);
    }
  });
});

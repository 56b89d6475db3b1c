// `routelab run rl --preset smoke`: every built-in arm end to end through the CLI (numbers mean nothing), and bad
// input refused before any training with the field named.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { BUILTIN_RL_ARM_NAMES } from '@routelab/persona';
import { routelab } from './fixtures/cli_helpers.ts';

it('runs every rl arm on the smoke preset and writes the JSON and Markdown report', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'routelab-rl-'));
  const env = { ROUTELAB_CACHE_DIR: join(dir, 'cache') };
  const r = routelab(['run', 'rl', '--preset', 'smoke', '--backend', 'wasm', '--out', join(dir, 'run'), '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  const report = JSON.parse(r.stdout);
  expect(report.experiment).toBe('rl');
  const markdown = await readFile(join(dir, 'run', 'report.md'), 'utf8');
  expect(report.arms).toEqual(BUILTIN_RL_ARM_NAMES);
  for (const summary of report.summaries) {
    expect(summary.seeds).toEqual([0]);
    for (const name of ['proxy reward (neutral)', 'true reward (neutral)', 'hack rate (neutral)', 'hack rate (inoculation prompt re-added)', 'capability (neutral)']) {
      const value = summary.metrics[name].perSeed[0];
      expect(value, `${summary.arm} ${name}`).toBeGreaterThanOrEqual(0);
      expect(value, `${summary.arm} ${name}`).toBeLessThanOrEqual(1);
    }
    expect(summary.curve.map((p: { step: number }) => p.step)).toEqual([0, 2, 4]);
  }
  expect(report.cells.find((c: { arm: string }) => c.arm === 'era').beforeAblation).toBeDefined();
  expect(report.cells.find((c: { arm: string }) => c.arm === 'early-stopping').earlyStopping.history.map((p: { step: number }) => p.step)).toEqual([0, 2, 4]);
  // The report opens with its questions; with one seed none is answerable with an interval.
  expect(report.questions.map((q: { id: string }) => q.id)).toContain('routing-vs-ip');
  expect(markdown).toMatch(/^## Questions/m);
  expect(typeof report.check.met === 'boolean' || report.check.met === null).toBe(true);
  expect(markdown).toMatch(/Instrument check: none learns to hack/);
  expect(markdown).toMatch(/\| ip-on-policy \| 0 \|/);
}, 480_000);

it('refuses bad input before any training, naming the field', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'routelab-rl-bad-'));
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ samplesPerPrompt: 1 }, /samplesPerPrompt: .*k < 2 has no group baseline/],
    [{ monitor: { recall: 1.2 } }, /monitor\.recall/],
    [{ armDefinitions: { none: { flagged: 'penalty', penalty: -1 } } }, /armDefinitions\.none\.penalty/],
    [{ armDefinitions: { odd: { scheme: 'telepathy' } }, arms: ['odd'] }, /armDefinitions\.odd\.scheme: .*telepathy/],
    [{ armDefinitions: { odd: { prompt: { rollout: 'shouting' } } }, arms: ['odd'] }, /armDefinitions\.odd\.prompt\.rollout: unknown system prompt "shouting"/],
    [{ armDefinitions: { odd: { oversight: { recall: -0.5 } } }, arms: ['odd'] }, /armDefinitions\.odd\.oversight\.recall/],
    [{ armDefinitions: { odd: { flagged: 'penalty', penalty: 100 } }, arms: ['odd'] }, /armDefinitions\.odd\.penalty/],
    [{ armDefinitions: { odd: { earlyStopping: { criterion: 'vibes' } } }, arms: ['odd'] }, /armDefinitions\.odd\.earlyStopping\.criterion/],
  ];
  for (const [i, [config, message]] of cases.entries()) {
    const file = join(dir, `config-${i}.json`);
    await writeFile(file, JSON.stringify(config));
    const out = join(dir, `run-${i}`);
    const r = routelab(['run', 'rl', '--preset', 'smoke', '--config', file, '--backend', 'wasm', '--out', out]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(out, 'checkpoints'))).toBe(false);
  }
}, 480_000);

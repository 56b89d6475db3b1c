// `routelab bench rl-step` from the CLI at tiny sizes: the rows and ratios it promises (one RL step split into
// rollouts and the policy update, plain and routed; the sampler with and without its KV cache), and bad input
// refused with the flag named. No timing is asserted (speed goals live in the benchmark's own output).
import { describe, expect, it } from 'vitest';
import { routelab } from './fixtures/cli_helpers.ts';

describe('routelab bench rl-step', () => {
  it('times rollouts, the update and the sampler with and without its cache in one run', () => {
    const r = routelab(['bench', 'rl-step', '--preset', 'smoke', '--steps', '1', '--prompts', '2', '--samples', '2', '--backend', 'wasm', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ benchmark: 'rl-step', preset: 'smoke', backend: 'wasm', timedSteps: 1, promptsPerStep: 2, samplesPerPrompt: 2 });
    expect(out.rows.map((row: { name: string }) => row.name).sort()).toEqual(
      ['RL step (era)', 'RL step (none)', 'policy update (era)', 'policy update (none)', 'rollouts (era)', 'rollouts (none)', 'sampler, KV cache', 'sampler, no KV cache'].sort(),
    );
    for (const row of out.rows) expect(row.msPerStep, row.name).toBeGreaterThan(0);
    const ms = (name: string) => out.rows.find((row: { name: string }) => row.name === name).msPerStep;
    // The step is its two parts, measured around both.
    expect(ms('RL step (none)')).toBeGreaterThanOrEqual(ms('rollouts (none)') + ms('policy update (none)') - 1e-6);
    expect(out.ratios['sampler time without / with the KV cache'].value).toBeCloseTo(ms('sampler, no KV cache') / ms('sampler, KV cache'), 9);
    expect(out.ratios['rollouts / RL step time (era)'].value).toBeGreaterThan(0);
    expect(out.ratios['rollouts / RL step time (era)'].value).toBeLessThan(1);
    const tokens = out.rows.find((row: { name: string }) => row.name === 'rollouts (none)').meanResponseTokens;
    expect(tokens).toBeGreaterThan(0);
    expect(tokens).toBeLessThanOrEqual(out.maxNewTokens);
  }, 120_000);

  it('refuses invalid numbers and presets, naming the flag', () => {
    const cases: [string[], RegExp][] = [
      [['--steps', '0'], /--steps: "0" is not a positive integer/],
      [['--samples', '1'], /--samples: 1 samples per prompt leave no group baseline/],
      [['--preset', 'huge'], /--preset: unknown preset "huge"; known: .*quick.*smoke/],
    ];
    for (const [args, message] of cases) {
      const r = routelab(['bench', 'rl-step', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  }, 120_000);
});

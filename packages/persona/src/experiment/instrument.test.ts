import { describe, expect, it } from 'vitest';
import type { PersonaCellResult } from './cell.ts';
import { instrumentChecks } from './instrument.ts';

const logProbs = (G: number) => ({ U: -0.1, G, W: -0.2 });

/** A baseline cell with only what the G check reads: greedy neutral G (deployed, prior) and, optionally, G log-probs. */
function baseline(seed: number, greedy: [number, number], logProb?: [number, number]): PersonaCellResult {
  return {
    seed,
    eval: { neutral: { n: 80, U: 1, W: 1, G: greedy[0], capability: 1 } },
    prior: { key: 'k', quality: { neutral: { n: 80, U: 0, W: 0, G: greedy[1], capability: 1 } } },
    ...(logProb ? { traitLogProb: { deployed: logProbs(logProb[0]), prior: logProbs(logProb[1]) } } : {}),
  } as unknown as PersonaCellResult;
}
const gCheck = (cells: PersonaCellResult[]) => instrumentChecks(cells, 'none').find((c) => c.id === 'g-emerges')!;

describe('the g-emerges check', () => {
  // As measured on the quick world: greedy G flips on two seeds of five, its log-probability rises on all five.
  const greedy: [number, number][] = [[0.45, 0], [0, 0], [0, 0], [0.5, 0], [0, 0]];
  const logProb: [number, number][] = [[-3.4, -7.7], [-8.6, -9.3], [-9.7, -10.8], [-2.6, -8.5], [-10.2, -10.9]];

  it("reads the G tokens' log-probability, with the greedy rates beside", () => {
    const check = gCheck(greedy.map((g, s) => baseline(s, g, logProb[s])));
    expect(check.holds).toBe(true);
    expect(check.statement).toMatch(/log-probability at their slot/);
    expect(check.detail).toMatch(/G log-probability: prior -9\.44, after none -6\.90; change 2\.54 \[/);
    expect(check.detail).toMatch(/greedy neutral G rate: prior 0\.00, after none 0\.19; change 0\.19 \[0\.00, /);
  });

  it('fails when the log-probability does not rise on every resample', () => {
    const flat: [number, number][] = logProb.map(([, b], s) => [s < 2 ? b + 0.5 : b - 0.5, b]);
    expect(gCheck(greedy.map((g, s) => baseline(s, g, flat[s]))).holds).toBe(false);
  });

  it('falls back to the greedy rates for results written before the log-probabilities existed', () => {
    const check = gCheck(greedy.map((g, s) => baseline(s, g)));
    expect(check.statement).toMatch(/greedy neutral G rate lies above 0/);
    expect(check.holds).toBe(false); // three of five seeds at 0: the bootstrap's lower bound is 0
  });
});

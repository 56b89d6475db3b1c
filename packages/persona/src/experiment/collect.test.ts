import type { CollectedCell } from '@routelab/core';
import { describe, expect, it } from 'vitest';
import type { PersonaCellResult } from './cell.ts';
import type { PersonaConfig } from './config.ts';
import { personaConfigOver } from './config.ts';
import { collectPersona } from './experiment.ts';
import { PRIOR_QUALITY_PROMPTS, type PriorQuality } from './prior.ts';
import type { PersonaReportJson } from './report.ts';

const rates = (U: number) => ({ n: 10, W: 1, U, G: 0, capability: 0.9 });
const quality = Object.fromEntries(PRIOR_QUALITY_PROMPTS.map((p) => [p, rates(0)])) as unknown as PriorQuality;

function result(arm: string, seed: number, U: number): PersonaCellResult {
  const evalRates = { neutral: rates(U), inoculation: rates(U), irrelevant: rates(U), negated: rates(U) };
  return {
    arm, seed, data: 'none', scheme: arm === 'none' ? 'none' : 'era', oversight: { labelFraction: 1, labelNoise: 0, placebo: false }, inoculationPrompt: 'specific',
    stage2: { examples: 10, steps: 1, finalLoss: 1, coherenceSteps: 0 }, prior: { key: 'k', quality }, eval: evalRates as never, retainLoss: 1, forgetLoss: 1,
    relearning: { threshold: 0.5, maxSteps: 2, evalEvery: 1, lr: 1e-3, initialURate: U, attacks: [{ n: 1, stepsToThreshold: 1, curve: [] }] },
    timing: { prior: 0, priorTrained: false, stage2: 0, evaluation: 0, relearning: 0, total: 0, cpu: 0 },
  };
}

function cell(arm: string, seed: number, labelFraction: number, U: number): CollectedCell<PersonaConfig> {
  const config = personaConfigOver('smoke', { arms: [arm], seeds: 1, firstSeed: seed, oversight: { labelFraction } });
  return { id: `${arm}-${seed}-${labelFraction}`, status: 'finished', config, results: { [`cells/${arm}/seed-${seed}`]: result(arm, seed, U) } };
}

describe('collectPersona', () => {
  it('keys cells by their full config: a label-fraction sweep gives a row per setting, not the first cell per arm and seed', () => {
    const cells = [0, 1].flatMap((seed) => [cell('none', seed, 1, 0.9), cell('era', seed, 1, 0.1), cell('era', seed, 0.1, 0.6)]);
    const json = collectPersona(cells).json as unknown as PersonaReportJson;
    expect(json.arms).toEqual(['none', 'era [oversight.labelFraction=1]', 'era [oversight.labelFraction=0.1]']);
    expect(json.results['era [oversight.labelFraction=0.1]']!.conditions.neutral.U!.mean).toBeCloseTo(0.6);
    expect(json.results['era [oversight.labelFraction=1]']!.conditions.neutral.U!.mean).toBeCloseTo(0.1);
  });

  it('keeps plain arm names when the cells of each arm share one config', () => {
    const cells = [0, 1].flatMap((seed) => [cell('none', seed, 1, 0.9), cell('era', seed, 1, 0.1)]);
    expect((collectPersona(cells).json as unknown as PersonaReportJson).arms).toEqual(['none', 'era']);
  });
});

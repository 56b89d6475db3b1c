import { describe, expect, it } from 'vitest';
import { ARM_SPECS, STAGE2_ARMS, parseArmId } from './arms.ts';
import { PROMPT_KINDS } from './prompts.ts';
import { createWorld } from './world.ts';

const world = createWorld();
const ctx = (hasU: boolean, draw = 0) => ({ world, hasU, draw, emptyForm: 'empty' as const });

describe('stage-2 arm table', () => {
  it('has a spec for every arm and nothing else', () => {
    expect(Object.keys(ARM_SPECS).sort()).toEqual([...STAGE2_ARMS].sort());
    for (const arm of STAGE2_ARMS) {
      expect(ARM_SPECS[arm].description.length).toBeGreaterThan(10);
      expect(PROMPT_KINDS).toContain(ARM_SPECS[arm].evalInoculation);
    }
  });

  it('chooses the prompts the issue describes', () => {
    const id = (arm: (typeof STAGE2_ARMS)[number], hasU: boolean) => ARM_SPECS[arm].trainPrompt(ctx(hasU)).id;
    expect(id('none', true)).toBe('neutral');
    expect(id('ip-specific', true)).toBe('specific');
    expect(id('ip-general', true)).toBe('persona');
    expect(id('control-irrelevant', true)).toBe('irrelevant');
    expect(id('control-empty', true)).toBe('empty');
    expect(ARM_SPECS['control-empty'].trainPrompt({ ...ctx(true), emptyForm: 'absent' }).words).toBeNull();
    expect([id('impure-ip-u-only', true), id('impure-ip-u-only', false)]).toEqual(['specific', 'neutral']);
    expect([id('impure-ip-all', true), id('impure-ip-all', false)]).toEqual(['specific', 'specific']);
    expect([id('anti-constitutional', true), id('anti-constitutional', false)]).toEqual(['malicious', 'benign']);
    expect(id('recontextualization', true)).toBe('permissive');
    expect(ARM_SPECS.recontextualization.generationPrompt).toBe('neutral');
  });

  it('ip-rephrased maps the arm draw onto the k paraphrases', () => {
    const ids = [0, 0.3, 0.6, 0.99].map((d) => ARM_SPECS['ip-rephrased'].trainPrompt(ctx(true, d)).id);
    expect(ids).toEqual(['rephrased-1', 'rephrased-2', 'rephrased-3', 'rephrased-4']);
  });

  it('uses the data purity each arm needs', () => {
    expect(ARM_SPECS['ip-clean'].data).toBe('clean');
    expect(ARM_SPECS.filter.data).toBe('impure');
    expect(ARM_SPECS['anti-constitutional'].data).toBe('impure');
    expect(ARM_SPECS.recontextualization.data).toBe('sampled');
    expect(ARM_SPECS.none.data).toBe('pure');
  });

  it('parseArmId lists the known arms', () => {
    expect(parseArmId('filter')).toBe('filter');
    expect(() => parseArmId('ip-magic')).toThrow(`unknown stage-2 arm 'ip-magic'; known arms: ${STAGE2_ARMS.join(', ')}`);
  });
});

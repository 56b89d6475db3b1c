import { registerScheme, resetPluginSchemes } from '@routelab/routing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { STAGE2_ARMS } from '../world/arms.ts';
import { armScheme, resolveArms } from './arm_validation.ts';
import { armDefinitionSchema, armSlug, BUILTIN_ARM_NAMES, builtinArms, cellResultName } from './arms.ts';
import { personaConfigOver } from './config.ts';

const sizes = { expandedUnits: 8, expandedLayers: 'all' as const, expandedLrMultiplier: 10 };

afterEach(() => resetPluginSchemes());

describe('persona arms are values', () => {
  it('has every world data arm trained plainly, and the routing arms as scheme configs', () => {
    const arms = builtinArms(sizes);
    for (const data of STAGE2_ARMS) expect(arms[data]).toMatchObject({ data, scheme: 'none' });
    expect(arms['era']).toMatchObject({ data: 'none', scheme: 'era' });
    expect(arms['param-routing']).toMatchObject({ data: 'none', scheme: 'parameter' });
    expect(arms['era+ip']).toMatchObject({ data: 'ip-specific', scheme: 'era' });
    // Plain JSON: a config file can hold every arm as it is.
    expect(JSON.parse(JSON.stringify(arms))).toEqual(arms);
    for (const def of Object.values(arms)) expect(armDefinitionSchema.safeParse(def).success).toBe(true);
  });

  it("checks every built-in routing arm's config against the scheme's own schema", () => {
    for (const name of ['era', 'param-routing', 'era+ip']) {
      const { phases } = armScheme(builtinArms(sizes)[name] as never);
      expect(phases.expand).toEqual({ units: 8, layers: 'all' });
      expect(Object.keys(phases.ablate)).toEqual(['blocks.*.mlp.*_expanded']);
    }
  });

  it('resolves oversight from the config unless the arm sets its own', () => {
    const config = personaConfigOver('quick', { oversight: { labelFraction: 0.5 }, armDefinitions: { era: { oversight: { labelFraction: 0.1 } } } });
    const arms = new Map(resolveArms(config).map((a) => [a.name, a]));
    expect(arms.get('filter')!.oversight).toEqual({ labelFraction: 0.5, labelNoise: 0, placebo: false });
    expect(arms.get('era')!.oversight).toEqual({ labelFraction: 0.1, labelNoise: 0, placebo: false });
    expect(arms.get('era')!.scheme).toBe('era');
  });

  it('takes a plugin scheme as an arm like any built-in one', () => {
    registerScheme({ id: 'my-scheme', description: 'test', configSchema: z.strictObject({ hook: z.string() }), plan: () => ({}) });
    const config = personaConfigOver('quick', {
      arms: ['none', 'mine'],
      armDefinitions: { mine: { data: 'none', scheme: 'my-scheme', schemeConfig: { hook: 'blocks.0.mlp.out' } } },
    });
    expect(resolveArms(config).map((a) => [a.name, a.scheme])).toEqual([['none', 'none'], ['mine', 'my-scheme']]);
  });

  it('gives path-safe, distinct result names', () => {
    for (const arm of BUILTIN_ARM_NAMES) expect(armSlug(arm)).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
    expect(new Set(BUILTIN_ARM_NAMES.map(armSlug)).size).toBe(BUILTIN_ARM_NAMES.length);
    expect(cellResultName('era+ip', 2)).toBe('cells/era-plus-ip/seed-2');
  });
});

describe('bad arms fail at the config boundary, naming the arm, the path and the value', () => {
  const issues = (input: unknown) => {
    try {
      personaConfigOver('quick', input as Record<string, unknown>);
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('expected the config to be rejected');
  };

  it('an unknown scheme lists the known ones (plugins included)', () => {
    registerScheme({ id: 'plugged', description: 'test', configSchema: z.object({}), plan: () => ({}) });
    const message = issues({ arms: ['x'], armDefinitions: { x: { data: 'none', scheme: 'nope' } } });
    expect(message).toMatch(/armDefinitions\.x\.scheme: arm "x": unknown routing scheme "nope"; known: none, filter, activation, parameter, era, plugged/);
  });

  it('a scheme config that fails its schema', () => {
    const message = issues({ armDefinitions: { era: { schemeConfig: { forgetOriginalWeight: 5 } } } });
    expect(message).toMatch(/armDefinitions\.era\.schemeConfig\.forgetOriginalWeight: arm "era" \(scheme era\): .*\(got 5\)/);
  });

  it('a parameter pattern that matches no parameter', () => {
    const message = issues({ armDefinitions: { 'param-routing': { schemeConfig: { ablate: ['blocks.*.mlp.nothing'] } } } });
    expect(message).toMatch(/armDefinitions\.param-routing\.schemeConfig: .*"blocks\.\*\.mlp\.nothing" matches no parameter/);
  });

  it('an RMU layer the model does not have, and an RMU parameter pattern that matches nothing', () => {
    expect(issues({ armDefinitions: { 'none-rmu': { unlearn: { layer: 9 } } } })).toMatch(/armDefinitions\.none-rmu\.unlearn\.layer: arm "none-rmu": RMU layer 9 does not exist \(the model has blocks 0\.\.1\)/);
    expect(issues({ armDefinitions: { 'none-rmu': { unlearn: { params: ['blocks.0.nope'] } } } })).toMatch(/unlearn\.params\.0: .*"blocks\.0\.nope" matches no parameter/);
  });

  it('an unknown data arm and an undefined arm name', () => {
    expect(issues({ arms: ['y'], armDefinitions: { y: { data: 'nope' } } })).toMatch(/armDefinitions\.y\.data: unknown data arm "nope"/);
    expect(issues({ arms: ['none', 'routing'] })).toMatch(/arms\.1: unknown arm "routing"; defined arms: none, prior, none-impure, filter/);
  });
});

describe('an arm with train: false (the prior as it is)', () => {
  const parse = (input: Record<string, unknown>) => () => personaConfigOver('quick', input);
  it('refuses a scheme or unlearning, naming the field', () => {
    const era = builtinArms(sizes)['era']!;
    const bad = parse({ arms: ['p'], armDefinitions: { p: { data: 'none', train: false, scheme: 'era', schemeConfig: era.schemeConfig, unlearn: { layer: 0 } } } });
    expect(bad).toThrow(/armDefinitions\.p\.scheme: arm "p" has train: false/);
    expect(bad).toThrow(/armDefinitions\.p\.unlearn: arm "p" has train: false/);
  });
  it('is the built-in prior arm', () => {
    expect(resolveArms(parse({ arms: ['prior'] })())).toMatchObject([{ name: 'prior', train: false, scheme: 'none' }]);
  });
});

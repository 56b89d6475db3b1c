import { describe, expect, it } from 'vitest';
import { BUILTIN_ARM_NAMES } from './arms.ts';
import { PERSONA_PRESETS, parsePersonaConfig, personaConfigOver, personaConfigSchema, resolveModelConfig, resolveWorldConfig } from './config.ts';

const issues = (input: unknown) => {
  const parsed = personaConfigSchema.safeParse(input);
  if (parsed.success) throw new Error('expected the config to be rejected');
  return parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
};

describe('persona config', () => {
  it('has quick (the defaults) and full presets that parse', () => {
    expect(PERSONA_PRESETS.quick).toEqual(personaConfigSchema.parse({}));
    expect(PERSONA_PRESETS.quick.arms).toEqual(BUILTIN_ARM_NAMES);
    // Paired sign-flip tests need seeds: quick has 5 (min attainable p 0.0625), full 10.
    expect(PERSONA_PRESETS.quick.seeds).toBe(5);
    expect(PERSONA_PRESETS.full.seeds).toBe(10);
    expect(PERSONA_PRESETS.full.modelPreset).toBe('full');
    expect(personaConfigSchema.parse(PERSONA_PRESETS.full)).toEqual(PERSONA_PRESETS.full);
  });

  it('runs one (arm, seed) cell alone', () => {
    const config = parsePersonaConfig({ arms: ['era'], seeds: 1, firstSeed: 2 });
    expect([config.arms, config.seeds, config.firstSeed]).toEqual([['era'], 1, 2]);
  });

  it('names an unknown arm and lists the known ones', () => {
    const [issue] = issues({ arms: ['none', 'routing'] });
    expect(issue!.path).toBe('arms.1');
    expect(issue!.message).toContain('unknown arm "routing"');
    for (const arm of BUILTIN_ARM_NAMES) expect(issue!.message).toContain(arm);
  });

  it('rejects duplicate arms, unknown keys and out-of-range values by path', () => {
    expect(issues({ arms: ['none', 'none'] })[0]!.path).toBe('arms.1');
    expect(issues({ stage2Stpes: 3 })[0]!.message).toMatch(/stage2Stpes/);
    expect(issues({ oversight: { labelFraction: 1.5 } })[0]!.path).toBe('oversight.labelFraction');
    expect(issues({ seeds: 0 })[0]!.path).toBe('seeds');
  });

  it('checks world overrides with the world parser, naming the world field', () => {
    const [issue] = issues({ world: { stage2: { uFraction: 2 } } });
    expect(issue!.path).toBe('world.stage2.uFraction');
    expect(issues({ world: { nope: 1 } })[0]!.path).toMatch(/^world/);
  });

  it('merges world overrides into the preset', () => {
    const world = resolveWorldConfig(parsePersonaConfig({ world: { stage2: { uFraction: 0.5 } } }));
    expect(world.stage2.uFraction).toBe(0.5);
    expect(world.stage2.wRate).toBe(1);
    expect(world.traits.U.words).toEqual(['ha']);
  });

  it("checks model overrides, and an arm's expansion against the model", () => {
    expect(issues({ model: { nHeads: 5 } })[0]!.path).toBe('model.nHeads');
    expect(issues({ model: { vocabSize: 3 } })[0]!.path).toMatch(/^model/);
    expect(() => personaConfigOver('quick', { armDefinitions: { era: { schemeConfig: { expand: { units: 8, layers: [0, 7] } } } } })).toThrow(
      /armDefinitions\.era\.schemeConfig: arm "era" \(scheme era\): .*nLayers|armDefinitions\.era\.schemeConfig: .*out of range/,
    );
    const config = parsePersonaConfig({ model: { dModel: 32, nHeads: 2 } });
    const world = resolveWorldConfig(config);
    expect(resolveModelConfig(config, world)).toMatchObject({ dModel: 32, nHeads: 2, expandedMlp: 0, maxLen: world.maxLen });
    expect(resolveModelConfig(config, world, { units: 8, layers: [1] })).toMatchObject({ expandedMlp: 8, expandedLayers: [1] });
  });

  it('parsePersonaConfig throws one error listing every problem with its path', () => {
    expect(() => parsePersonaConfig({ seeds: 0, stage2Steps: -1 })).toThrow(/stage2Steps: .*; seeds: |seeds: .*; stage2Steps: /);
  });
});

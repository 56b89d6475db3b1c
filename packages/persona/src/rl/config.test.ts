import { describe, expect, it } from 'vitest';
import { BUILTIN_RL_ARM_NAMES, DEFAULT_RL_ARMS } from './arms.ts';
import { parseRlConfig, resolveRlArms, RL_PRESETS } from './config.ts';

const smoke = { prior: { preset: 'smoke' } };

describe('rl config', () => {
  it('presets run every built-in arm; arms resolve with the loss prompt and monitor filled in', () => {
    expect(RL_PRESETS.smoke.arms).toEqual(DEFAULT_RL_ARMS);
    expect(RL_PRESETS.quick.arms).toEqual(DEFAULT_RL_ARMS);
    expect(RL_PRESETS.full.arms).toEqual(DEFAULT_RL_ARMS);
    expect(DEFAULT_RL_ARMS).toEqual(BUILTIN_RL_ARM_NAMES);
    expect(RL_PRESETS.full.seeds).toBeGreaterThanOrEqual(10);
    expect(RL_PRESETS.quick.seeds).toBeGreaterThanOrEqual(5);
    expect(RL_PRESETS.full.prior.preset).toBe('full');
    // Every defined arm parses against the model (the ones outside the default list too).
    expect(parseRlConfig({ ...smoke, arms: BUILTIN_RL_ARM_NAMES }).arms).toEqual(BUILTIN_RL_ARM_NAMES);
    expect(resolveRlArms(parseRlConfig({ ...smoke, arms: ['ip-general'] }))[0]!.inoculationPrompt).toBe('persona');
    const config = parseRlConfig({ ...smoke, monitor: { recall: 0.1 }, arms: ['ip-on-policy', 'recontextualization', 'era'] });
    const [ip, recontext, era] = resolveRlArms(config);
    expect(ip!.prompt).toEqual({ rollout: 'specific', loss: 'specific' });
    expect(recontext!.prompt).toEqual({ rollout: 'neutral', loss: 'permissive' });
    expect(era!.oversight).toEqual({ recall: 0.1, falsePositiveRate: 0 });
    expect(era!.scheme).toBe('era');
    // The arms the questions need: routing across recall, both recontextualization variants, early stopping.
    const byName = Object.fromEntries(resolveRlArms(parseRlConfig({ ...smoke, arms: BUILTIN_RL_ARM_NAMES })).map((a) => [a.name, a]));
    expect([1, 0.5, 0.1, 0.01].map((r) => byName[r === 1 ? 'era' : `era-recall-${r}`]!.oversight.recall)).toEqual([1, 0.5, 0.1, 0.01]);
    expect(byName['era-recall-0.01']!.scheme).toBe('era');
    expect(byName['filter-recall-0.01']!).toMatchObject({ flagged: 'filter', oversight: { recall: 0.01 } });
    expect(byName['recontextualization-same-prompt']!.prompt).toEqual({ rollout: 'permissive', loss: 'permissive' });
    expect(byName['early-stopping']!).toMatchObject({ scheme: 'none', prompt: { rollout: 'neutral' }, earlyStopping: { criterion: 'proxy-minus-flagged' }, oversight: { recall: 1 } });
    expect(byName['early-stopping-recall-0.1']!.oversight.recall).toBe(0.1);
  });

  it('names the field of bad input before any training', () => {
    const bad = (input: Record<string, unknown>) => () => parseRlConfig({ ...smoke, ...input });
    expect(bad({ monitor: { recall: 1.5 } })).toThrow(/monitor\.recall: .*<=1/);
    expect(bad({ monitor: { falsePositiveRate: -0.1 } })).toThrow(/monitor\.falsePositiveRate/);
    expect(bad({ grader: { answerCredit: 1.5 } })).toThrow(/grader\.answerCredit/);
    expect(bad({ armDefinitions: { p: { flagged: 'penalty', penalty: 11 } }, arms: ['p'] })).toThrow(/armDefinitions\.p\.penalty/);
    expect(bad({ armDefinitions: { p: { oversight: { recall: 2 } } }, arms: ['p'] })).toThrow(/armDefinitions\.p\.oversight\.recall/);
    expect(bad({ samplesPerPrompt: 1 })).toThrow(/samplesPerPrompt: samplesPerPrompt must be >= 2 \(k < 2 has no group baseline\), got 1/);
    expect(bad({ armDefinitions: { t: { scheme: 'telepathy' } }, arms: ['t'] })).toThrow(/armDefinitions\.t\.scheme: arm "t": .*telepathy/);
    expect(bad({ armDefinitions: { t: { prompt: { rollout: 'shouting' } } }, arms: ['t'] })).toThrow(/armDefinitions\.t\.prompt\.rollout: unknown system prompt "shouting"/);
    expect(bad({ armDefinitions: { t: { prompt: { loss: 'shouting' } } }, arms: ['t'] })).toThrow(/armDefinitions\.t\.prompt\.loss/);
    expect(bad({ arms: ['nope'] })).toThrow(/arms\.0: unknown arm "nope"/);
    expect(bad({ armDefinitions: { s: { earlyStopping: { criterion: 'vibes' } } }, arms: ['s'] })).toThrow(/armDefinitions\.s\.earlyStopping\.criterion/);
    expect(bad({ armDefinitions: { s: { earlyStopping: { every: 0 } } }, arms: ['s'] })).toThrow(/armDefinitions\.s\.earlyStopping\.every/);
    expect(bad({ armDefinitions: { e: { scheme: 'era', schemeConfig: { targets: 3 } } }, arms: ['e'] })).toThrow(/armDefinitions\.e\.schemeConfig/);
  });
});

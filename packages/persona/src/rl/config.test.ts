import { describe, expect, it } from 'vitest';
import { BUILTIN_RL_ARM_NAMES, DEFAULT_RL_ARMS } from './arms.ts';
import { parseRlConfig, resolveRlArms, RL_PRESETS } from './config.ts';

const smoke = { prior: { preset: 'smoke' } };

describe('rl config', () => {
  it('presets run every built-in arm; arms resolve with the loss prompt and monitor filled in', () => {
    expect(RL_PRESETS.smoke.arms).toEqual(DEFAULT_RL_ARMS);
    expect(RL_PRESETS.quick.arms).toEqual(DEFAULT_RL_ARMS);
    expect(DEFAULT_RL_ARMS).toEqual(expect.arrayContaining(['none', 'penalty', 'filter', 'ip-on-policy', 'era']));
    // Every defined arm parses against the model (the ones outside the default list too).
    expect(parseRlConfig({ ...smoke, arms: BUILTIN_RL_ARM_NAMES }).arms).toEqual(BUILTIN_RL_ARM_NAMES);
    expect(resolveRlArms(parseRlConfig({ ...smoke, arms: ['ip-general'] }))[0]!.inoculationPrompt).toBe('persona');
    const config = parseRlConfig({ ...smoke, monitor: { recall: 0.1 }, arms: ['ip-on-policy', 'recontextualization', 'era'] });
    const [ip, recontext, era] = resolveRlArms(config);
    expect(ip!.prompt).toEqual({ rollout: 'specific', loss: 'specific' });
    expect(recontext!.prompt).toEqual({ rollout: 'neutral', loss: 'permissive' });
    expect(era!.oversight).toEqual({ recall: 0.1, falsePositiveRate: 0 });
    expect(era!.scheme).toBe('era');
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
    expect(bad({ armDefinitions: { e: { scheme: 'era', schemeConfig: { targets: 3 } } }, arms: ['e'] })).toThrow(/armDefinitions\.e\.schemeConfig/);
  });
});

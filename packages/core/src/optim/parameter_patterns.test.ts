import { describe, expect, it } from 'vitest';
import { matchesParameterPattern, matchParameters } from './parameter_patterns.ts';
import { stepDecaySchedule } from './lr_schedule.ts';

const NAMES = ['embed.weight', 'blocks.0.mlp.w_in', 'blocks.0.mlp.w_in_expanded', 'blocks.1.mlp.b_in_expanded', 'blocks.1.attn.w_q'];

describe('parameter patterns', () => {
  it('* matches within one dotted segment, ** across segments, everything else literally', () => {
    expect(matchParameters('blocks.*.mlp.*_expanded', NAMES)).toEqual(['blocks.0.mlp.w_in_expanded', 'blocks.1.mlp.b_in_expanded']);
    expect(() => matchParameters('blocks.*', NAMES)).toThrow(/"blocks\.\*" matches no parameter/);
    expect(matchParameters('blocks.**', NAMES)).toHaveLength(4);
    expect(matchParameters('**', NAMES)).toEqual(NAMES);
    expect(matchParameters(['embed.weight', 'blocks.1.**'], NAMES)).toEqual(['embed.weight', 'blocks.1.mlp.b_in_expanded', 'blocks.1.attn.w_q']);
    expect(matchesParameterPattern('blocks.0.mlp.w_in', 'blocks.0.mlp.w_in_expanded')).toBe(false);
    expect(matchesParameterPattern('blocks.0.mlp.w-in', 'blocks.0.mlp.w_in')).toBe(false);
    expect(matchesParameterPattern('blocks.0', 'blocksX0')).toBe(false);
  });

  it('a pattern that matches nothing, or has other characters, is an error naming it and the field', () => {
    expect(() => matchParameters(['**_expanded', 'blocks.*.mlp'], NAMES, 'arms[2].schemeConfig.params')).toThrow(
      /arms\[2\]\.schemeConfig\.params: parameter pattern "blocks\.\*\.mlp" matches no parameter; parameters: embed\.weight, /,
    );
    expect(() => matchParameters('blocks.[0-9]', NAMES)).toThrow(/got "blocks\.\[0-9\]"/);
    expect(() => matchParameters('', NAMES)).toThrow(/got ""/);
  });
});

describe('stepDecaySchedule', () => {
  it('is 1 before fromStep and factor from it on; checks its arguments', () => {
    const s = stepDecaySchedule(3, 0.1);
    expect([1, 2, 3, 10].map(s)).toEqual([1, 1, 0.1, 0.1]);
    expect(() => stepDecaySchedule(0, 0.1)).toThrow(/fromStep must be an integer >= 1, got 0/);
    expect(() => stepDecaySchedule(2, -1)).toThrow(/factor must be .* got -1/);
  });
});

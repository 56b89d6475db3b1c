import { describe, expect, it } from 'vitest';
import { expandPattern, matchesPattern, PatternMatchError } from './name_patterns.ts';

const names = ['embed.w', 'blocks.0.mlp.w_in', 'blocks.0.mlp.w_in_expanded', 'blocks.1.mlp.w_out_expanded', 'blocks.1.attn.w_q'];

describe('name patterns', () => {
  it('* stays within a dotted segment', () => {
    expect(expandPattern('blocks.*.mlp.*_expanded', names, 'parameter')).toEqual(['blocks.0.mlp.w_in_expanded', 'blocks.1.mlp.w_out_expanded']);
    expect(matchesPattern('blocks.*', 'blocks.0.mlp.w_in')).toBe(false);
  });
  it('** crosses segments', () => {
    expect(expandPattern('blocks.**', names, 'parameter')).toHaveLength(4);
  });
  it('a plain name matches exactly, dots are literal', () => {
    expect(matchesPattern('embed.w', 'embed.w')).toBe(true);
    expect(matchesPattern('embed.w', 'embedxw')).toBe(false);
  });
  it('a pattern that matches nothing is an error naming the pattern', () => {
    expect(() => expandPattern('blocks.*.mlp.w_nope', names, 'parameter')).toThrow(PatternMatchError);
    expect(() => expandPattern('blocks.*.mlp.w_nope', names, 'parameter')).toThrow(/"blocks\.\*\.mlp\.w_nope" matches no parameter/);
  });
});

import { describe, expect, it } from 'vitest';
import { closestNames, unknownNameMessage } from './names.ts';

const NAMES = ['embed.weight', 'blocks.0.mlp.w_in', 'blocks.0.mlp.b_in', 'blocks.1.mlp.w_in', 'unembed.weight'];

describe('closestNames', () => {
  it('suggests the nearest names by edit distance', () => {
    expect(closestNames('blocks.0.mlp.w_inn', NAMES)).toEqual(['blocks.0.mlp.w_in']);
    expect(closestNames('blocks.2.mlp.w_in', NAMES)).toEqual(['blocks.0.mlp.w_in', 'blocks.1.mlp.w_in']);
  });

  it('falls back to names ending in the request or sharing its last segment', () => {
    expect(closestNames('mlp.w_in', NAMES)).toEqual(['blocks.0.mlp.w_in', 'blocks.1.mlp.w_in']);
    expect(closestNames('transformer.output.weight', NAMES)).toEqual(['embed.weight', 'unembed.weight']);
  });

  it('suggests nothing for unrelated names or empty candidate lists', () => {
    expect(closestNames('completely_different', NAMES)).toEqual([]);
    expect(closestNames('x', [])).toEqual([]);
  });
});

describe('unknownNameMessage', () => {
  it('lists suggestions and the available names, cutting long lists short', () => {
    expect(unknownNameMessage('parameter', 'embed.weigth', NAMES, 'Model')).toBe(
      'unknown parameter "embed.weigth" in Model; did you mean "embed.weight"? Available (5): ' + NAMES.join(', '),
    );
    const many = Array.from({ length: 45 }, (_, i) => `p${i}`);
    expect(unknownNameMessage('hook point', 'zzz', many, 'M')).toMatch(/Available \(45\): p0, .*p39, \.\.\. and 5 more$/);
    expect(unknownNameMessage('parameter', 'zzz_unrelated', NAMES, 'M')).toMatch(/^unknown parameter "zzz_unrelated" in M\. Available \(5\): /);
    expect(unknownNameMessage('hook point', 'a', [], 'Linear')).toBe('unknown hook point "a" in Linear, which has no hook points');
  });
});

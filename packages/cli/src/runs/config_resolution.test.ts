import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deepMerge, formatConfigIssues, formatPath } from './config_resolution.ts';

describe('deepMerge', () => {
  it('merges objects recursively; arrays, scalars and null replace', () => {
    const base = { a: 1, nested: { x: 1, y: [1, 2] }, keep: { z: true } };
    const merged = deepMerge(base, { nested: { y: [3], w: null }, b: 2 });
    expect(merged).toEqual({ a: 1, nested: { x: 1, y: [3], w: null }, keep: { z: true }, b: 2 });
    expect(base.nested.y).toEqual([1, 2]);
  });

  it('a "__proto__" key in a file stays an inert key', () => {
    const merged = deepMerge({ a: 1 }, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
  });
});

describe('formatConfigIssues', () => {
  it('names the path, the message with what was expected, and the value', () => {
    const schema = z.strictObject({ layers: z.array(z.object({ width: z.number().int() })), lr: z.number(), name: z.string() });
    const input = { layers: [{ width: 4 }, { width: 2.5 }], lr: 'inf', extra: 1 };
    const result = schema.safeParse(input);
    expect(result.success).toBe(false);
    const text = formatConfigIssues(result.error!, input);
    expect(text).toMatch(/^ {2}config\.layers\[1\]\.width: .*expected int.* \(got 2\.5\)$/m);
    expect(text).toMatch(/^ {2}config\.lr: .*expected number, received string \(got "inf"; JSON has no NaN or Infinity: write a finite number\)$/m);
    expect(text).toMatch(/^ {2}config\.name: .*expected string.* \(missing\)$/m);
    expect(text).toMatch(/^ {2}config\.extra: unknown setting \(got 1\)$/m);
  });

  it('formatPath', () => {
    expect(formatPath([])).toBe('config');
    expect(formatPath(['a', 0, 'b'])).toBe('config.a[0].b');
  });
});

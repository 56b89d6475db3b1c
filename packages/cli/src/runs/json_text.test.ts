import { describe, expect, it } from 'vitest';
import { assertExactJson, locateJsonError, parseJsonText, toJsonLine, toJsonText } from './json_text.ts';

describe('parseJsonText', () => {
  it('parses valid JSON (a leading BOM too)', () => {
    expect(parseJsonText('\uFEFF{"a": [1, 2.5e-3, "x\\n", true, null]}')).toEqual({ ok: true, value: { a: [1, 2.5e-3, 'x\n', true, null] } });
  });

  it.each([
    ['{"a": 1,}', 1, 9, "trailing comma before '}'"],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, `expected ',' or '}', found "\\""`],
    ["{'a': 1}", 1, 2, 'a single quote'],
    ['{"lr": NaN}', 1, 8, 'NaN, which JSON does not allow'],
    ['{"lr": -Infinity}', 1, 8, 'Infinity, which JSON does not allow'],
    ['[1, 2', 1, 6, "expected ',' or ']', found the end of the file"],
    ['{"a": "b', 1, 9, 'unterminated string'],
    ['{"a": 01}', 1, 8, "expected ',' or '}'"],
    ['{} x', 1, 4, 'after the JSON value'],
    ['', 1, 1, 'expected a value, found the end of the file'],
  ])('%j fails at line %i, column %i: %s', (text, line, column, problem) => {
    const r = parseJsonText(text);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.problem).toMatch(new RegExp(`^line ${line}, column ${column} \\(offset \\d+\\): .*${problem.replace(/[()[\]'\\]/g, '\\$&')}`));
  });

  it('agrees with JSON.parse on what is valid', () => {
    for (const text of ['0', '-0.5E+2', '"\\u00e9\\/"', '[[], {}]', ' {"a" : {"b": [null]}} ']) {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(locateJsonError(text)).toBeUndefined();
    }
  });
});

describe('writing JSON', () => {
  it('keeps non-finite numbers visible as strings', () => {
    expect(toJsonLine({ loss: NaN, big: Infinity, small: -Infinity, n: 1 })).toBe('{"loss":"NaN","big":"Infinity","small":"-Infinity","n":1}\n');
    expect(toJsonText({ a: 1 })).toBe('{\n  "a": 1\n}\n');
    expect(() => toJsonText(undefined)).toThrow(/cannot write undefined as JSON/);
  });

  it('assertExactJson names what JSON cannot hold', () => {
    expect(() => assertExactJson({ step: 3, rng: { key: [1, 2] }, skip: undefined }, 'state')).not.toThrow();
    expect(() => assertExactJson({ a: { b: [1, NaN] } }, 'state')).toThrow('state.a.b[1] is NaN, which JSON cannot hold');
    expect(() => assertExactJson({ t: new Float32Array(2) }, 'state')).toThrow('state.t is a Float32Array object');
    expect(() => assertExactJson({ f: () => 1 }, 'state')).toThrow('state.f is a function');
  });
});

// JSON in and out of run directories and config files.
//
// Reading: V8's JSON.parse messages do not reliably say where the problem is ("Unexpected token '}', ...
// is not valid JSON"), so when it fails a small validator walks the text to report line and column.
// Writing: JSON.stringify turns NaN and Infinity into null without a word, which would hide a diverged loss;
// here they are written as the strings "NaN", "Infinity" and "-Infinity" instead.

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; problem: string };

/** Parses JSON text; on failure `problem` reads like "line 3, column 9: expected ',' or '}', found ']'". */
export function parseJsonText(text: string): JsonParseResult {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (err) {
    const located = locateJsonError(body);
    if (!located) return { ok: false, problem: err instanceof Error ? err.message : String(err) };
    const { line, column } = lineAndColumn(body, located.offset);
    return { ok: false, problem: `line ${line}, column ${column} (offset ${located.offset}): ${located.problem}` };
  }
}

/** JSON text of `value` (two-space indent, trailing newline), with non-finite numbers as strings. */
export function toJsonText(value: unknown): string {
  const text = JSON.stringify(value, nonFiniteAsString, 2);
  if (text === undefined) throw new TypeError(`cannot write ${typeof value} as JSON`);
  return `${text}\n`;
}

/** One line of JSON (for JSONL files), non-finite numbers as strings. */
export function toJsonLine(value: unknown): string {
  const text = JSON.stringify(value, nonFiniteAsString);
  if (text === undefined) throw new TypeError(`cannot write ${typeof value} as JSON`);
  return `${text}\n`;
}

function nonFiniteAsString(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/**
 * Throws a TypeError naming the first thing in `value` that does not survive JSON exactly (NaN, Infinity,
 * functions, class instances such as tensors, undefined in arrays). Undefined object properties are allowed:
 * they are dropped, and reading them back gives undefined either way.
 */
export function assertExactJson(value: unknown, path: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${path} is ${value}, which JSON cannot hold`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (item === undefined) throw new TypeError(`${path}[${i}] is undefined, which JSON cannot hold`);
      assertExactJson(item, `${path}[${i}]`);
    });
    return;
  }
  if (typeof value === 'object' && isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) assertExactJson(item, `${path}.${key}`);
    }
    return;
  }
  const what = typeof value === 'object' ? `a ${value.constructor?.name ?? 'non-plain'} object` : `a ${typeof value}`;
  throw new TypeError(`${path} is ${what}, which JSON cannot hold`);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class JsonSyntaxError {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {}
}

/** Where the first syntax error in `text` is, or undefined if the text is valid JSON. */
export function locateJsonError(text: string): { offset: number; problem: string } | undefined {
  let i = 0;
  const fail = (problem: string, at = i): never => {
    throw new JsonSyntaxError(at, problem);
  };
  const found = (): string => {
    if (i >= text.length) return 'the end of the file';
    if (text.startsWith('NaN', i) || text.startsWith('Infinity', i) || text.startsWith('-Infinity', i)) {
      return `${text.startsWith('NaN', i) ? 'NaN' : 'Infinity'}, which JSON does not allow (write a number)`;
    }
    if (text[i] === "'") return "a single quote (JSON strings use double quotes)";
    return JSON.stringify(text[i]);
  };
  const skipWhitespace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('invalid \\u escape in string');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          fail(`invalid escape \\${e ?? ''} in string`);
        }
        continue;
      }
      if (c.charCodeAt(0) < 0x20) fail('unescaped control character (e.g. a line break) in string');
      i++;
    }
    fail('unterminated string');
  };
  const number = () => {
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    match.lastIndex = i;
    const m = match.exec(text);
    if (!m) fail(`expected a value, found ${found()}`);
    i += m![0].length;
  };
  const value = (): void => {
    skipWhitespace();
    const c = text[i];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === '-' && !text.startsWith('-Infinity', i)) return number();
    if (c !== undefined && c >= '0' && c <= '9') return number();
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    fail(`expected a value, found ${found()}`);
  };
  const object = () => {
    i++;
    skipWhitespace();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      skipWhitespace();
      if (text[i] !== '"') fail(`expected a property name in double quotes, found ${found()}`);
      string();
      skipWhitespace();
      if (text[i] !== ':') fail(`expected ':' after the property name, found ${found()}`);
      i++;
      value();
      skipWhitespace();
      if (text[i] === ',') {
        i++;
        skipWhitespace();
        if (text[i] === '}') fail("trailing comma before '}'");
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      fail(`expected ',' or '}', found ${found()}`);
    }
  };
  const array = () => {
    i++;
    skipWhitespace();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      value();
      skipWhitespace();
      if (text[i] === ',') {
        i++;
        skipWhitespace();
        if (text[i] === ']') fail("trailing comma before ']'");
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      fail(`expected ',' or ']', found ${found()}`);
    }
  };
  try {
    value();
    skipWhitespace();
    if (i < text.length) fail(`unexpected ${found()} after the JSON value`);
    return undefined;
  } catch (err) {
    if (err instanceof JsonSyntaxError) return { offset: err.offset, problem: err.problem };
    return undefined; // e.g. nesting deep enough to overflow the stack: fall back to V8's message
  }
}

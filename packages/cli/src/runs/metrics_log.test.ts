import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetricsLog } from './metrics_log.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'routelab-metrics-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('MetricsLog', () => {
  it('appends one timestamped JSON line per event', () => {
    const log = MetricsLog.create(join(dir, 'm.jsonl'));
    log.append({ kind: 'train', step: 1, loss: 0.5 });
    log.append({ kind: 'train', step: 2, loss: NaN });
    expect(log.lines).toBe(2);
    log.close();
    const lines = readFileSync(join(dir, 'm.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), kind: 'train', step: 1, loss: 0.5 });
    expect(lines[1].loss).toBe('NaN');
    expect(() => log.append({ kind: 'late' })).toThrow(/closed/);
  });

  it('refuses an event without a kind', () => {
    const log = MetricsLog.create(join(dir, 'm.jsonl'));
    expect(() => log.append({ step: 1 } as never)).toThrow(/string "kind"/);
    log.close();
  });

  it('on resume keeps the lines a checkpoint covers and moves the rest (a torn last line too) aside', () => {
    const path = join(dir, 'm.jsonl');
    writeFileSync(path, '{"kind":"a"}\n{"kind":"b"}\n{"kind":"c"}\n{"kind":"d"');
    const { log, superseded } = MetricsLog.resume(path, 2, join(dir, 'old.jsonl'));
    expect(superseded).toBe(2);
    expect(log.lines).toBe(2);
    log.append({ kind: 'e' });
    log.close();
    expect(readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).kind)).toEqual(['a', 'b', 'e']);
    expect(readFileSync(join(dir, 'old.jsonl'), 'utf8')).toBe('{"kind":"c"}\n{"kind":"d"\n');
  });

  it('on resume with nothing past the mark leaves the file alone', () => {
    const path = join(dir, 'm.jsonl');
    writeFileSync(path, '{"kind":"a"}\n');
    const { log, superseded } = MetricsLog.resume(path, 5, join(dir, 'old.jsonl'));
    expect({ superseded, lines: log.lines }).toEqual({ superseded: 0, lines: 1 });
    log.close();
  });
});

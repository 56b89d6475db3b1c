import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgressReporter, formatInfo } from './progress_reporter.ts';

afterEach(() => vi.useRealTimers());

describe('plain progress lines', () => {
  it('one line per phase change, completed phase, 10% of progress or 2 s', () => {
    vi.useFakeTimers({ now: 0 });
    const lines: string[] = [];
    const reporter = createProgressReporter({ write: (t: string) => lines.push(t), isTTY: false });
    for (let done = 1; done <= 400; done++) reporter.update({ phase: 'routed seed 1', done, total: 400, info: { loss: 1 / done } });
    expect(lines[0]).toBe('[routed seed 1] 1/400 loss=1\n');
    expect(lines[1]).toBe('[routed seed 1] 41/400 loss=0.02439\n');
    expect(lines).toHaveLength(11);
    expect(lines.at(-1)).toBe('[routed seed 1] 400/400 loss=0.0025\n');

    lines.length = 0;
    reporter.update({ phase: 'eval', done: 1, total: 1000 });
    reporter.update({ phase: 'eval', done: 2, total: 1000 });
    vi.setSystemTime(2500);
    reporter.update({ phase: 'eval', done: 3, total: 1000 });
    expect(lines).toEqual(['[eval] 1/1000\n', '[eval] 3/1000\n']);
  });

  it('keeps a schedule per phase when phases interleave (parts in parallel workers)', () => {
    vi.useFakeTimers({ now: 0 });
    const lines: string[] = [];
    const reporter = createProgressReporter({ write: (t: string) => lines.push(t), isTTY: false });
    for (let done = 1; done <= 100; done++) {
      reporter.update({ phase: 'a', done, total: 100 });
      reporter.update({ phase: 'b', done, total: 100 });
    }
    // Each phase: its first line, every 10%, and its completion; not a line per alternation.
    expect(lines.filter((l) => l.startsWith('[a]'))).toHaveLength(11);
    expect(lines.filter((l) => l.startsWith('[b]'))).toHaveLength(11);
  });

  it('formats info values', () => {
    expect(formatInfo({ loss: 0.031234, step: 12, arm: 'routed', bad: NaN })).toBe('loss=0.03123 step=12 arm=routed bad=NaN');
    expect(formatInfo(undefined)).toBe('');
  });
});

describe('progress bar on a terminal', () => {
  it('draws a bar per running phase, a line per finished one, and leaves signal handling to the runner', () => {
    let text = '';
    const tty = { isTTY: true, columns: 100, write: (t: string) => ((text += t), true) };
    const listeners = process.listenerCount('SIGINT');
    const reporter = createProgressReporter(tty);
    reporter.update({ phase: 'seed 1', done: 1, total: 10, info: { loss: 0.5 } });
    expect(process.listenerCount('SIGINT')).toBe(listeners);
    reporter.update({ phase: 'seed 1', done: 10, total: 10, info: { loss: 0.25 } });
    reporter.message('a message');
    reporter.update({ phase: 'seed 2', done: 5, total: 10 });
    reporter.stop();
    expect(text).toMatch(/\[seed 1\] 10\/10 loss=0\.25\n/);
    expect(text).toContain('a message\n');
    expect(text).toMatch(/\[seed 2\] =+-+ 5\/10/);
  });
});

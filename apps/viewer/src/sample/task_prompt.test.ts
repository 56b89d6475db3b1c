import { createWorld } from '@routelab/persona';
import { describe, expect, it } from 'vitest';
import { parseTaskPrompt } from './task_prompt.ts';

describe('typed prompts as tasks', () => {
  const world = createWorld({});
  it('answers each family by its rule', () => {
    expect(parseTaskPrompt('add two and three', world).task).toEqual({ family: 'add', prompt: ['add', 'two', 'and', 'three'], answer: ['five'] });
    expect(parseTaskPrompt('After four', world).task?.answer).toEqual(['five']);
    expect(parseTaskPrompt('opposite cold', world).task?.answer).toEqual(['hot']);
    expect(parseTaskPrompt('reverse cat dog fish', world).task?.answer).toEqual(['fish', 'dog', 'cat']);
    expect(parseTaskPrompt('  copy cat   dog ', world).task?.answer).toEqual(['cat', 'dog']);
  });
  it('reports words outside the vocabulary and prompts that are no task', () => {
    expect(parseTaskPrompt('copy cat zebra', world).unknownWords).toEqual(['zebra']);
    const free = parseTaskPrompt('you are a goblin', world);
    expect(free.task).toBeNull();
    expect(free.note).toMatch(/no task family/);
    expect(parseTaskPrompt('add two three', world).note).toMatch(/add <number> and <number>/);
    expect(parseTaskPrompt('add twenty and one', world).note).toMatch(/past the number words/);
  });
});

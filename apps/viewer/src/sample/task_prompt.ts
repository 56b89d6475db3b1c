// A typed prompt as a persona-world task: the family comes from the first word (copy, reverse, add, after,
// opposite), and the answer follows the family's rule (see @routelab/persona's tasks.ts), so the sample can
// be scored for correctness as well as for traits. Words the world's vocabulary lacks are reported.
import { NUMBER_WORDS, OPPOSITE_PAIRS, type Task, type World } from '@routelab/persona';

export interface ParsedPrompt {
  words: string[];
  /** null when the words are not a task of any family (traits are still scored; correctness is not). */
  task: Task | null;
  unknownWords: string[];
  /** Why the words are not a task, when they are not. */
  note?: string;
}

const numberOf = (w: string | undefined) => (w === undefined ? -1 : (NUMBER_WORDS as readonly string[]).indexOf(w));

export function parseTaskPrompt(text: string, world: World): ParsedPrompt {
  const words = text.trim().toLowerCase().split(/\s+/).filter((w) => w.length > 0);
  const unknownWords = [...new Set(words.filter((w) => !world.vocab.has(w)))];
  const base = { words, unknownWords };
  const [head, ...rest] = words;
  const not = (note: string): ParsedPrompt => ({ ...base, task: null, note });
  switch (head) {
    case 'copy':
    case 'reverse':
      if (rest.length === 0) return not(`"${head}" needs a list of item words`);
      return { ...base, task: { family: head, prompt: words, answer: head === 'copy' ? rest : [...rest].reverse() } };
    case 'add': {
      const [a, and, b] = rest;
      const x = numberOf(a);
      const y = numberOf(b);
      if (rest.length !== 3 || and !== 'and' || x < 0 || y < 0) return not('"add" reads: add <number> and <number>');
      const sum = NUMBER_WORDS[x + y];
      if (sum === undefined) return not(`${a} and ${b} add up past the number words`);
      return { ...base, task: { family: 'add', prompt: words, answer: [sum] } };
    }
    case 'after': {
      const n = numberOf(rest[0]);
      const next = NUMBER_WORDS[n + 1];
      if (rest.length !== 1 || n < 0 || next === undefined) return not('"after" reads: after <number>');
      return { ...base, task: { family: 'successor', prompt: words, answer: [next] } };
    }
    case 'opposite': {
      const pair = OPPOSITE_PAIRS.find(([a, b]) => a === rest[0] || b === rest[0]);
      if (rest.length !== 1 || !pair) return not('"opposite" reads: opposite <word with an opposite>');
      return { ...base, task: { family: 'opposite', prompt: words, answer: [pair[0] === rest[0] ? pair[1] : pair[0]] } };
    }
    default:
      return not('the first word names no task family (copy, reverse, add, after, opposite)');
  }
}

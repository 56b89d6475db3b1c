// Word banks of the persona world. Each bank is disjoint from every other, so a word's role is unambiguous:
// scorers can strip trait words from a response without touching answer words, and routing can tell trait
// tokens from task tokens by identity alone. Configs pick prefixes of these banks (vocab size knobs).

/** Nouns for list tasks (copy, reverse). */
export const ITEM_WORDS = [
  'cat', 'dog', 'fish', 'bird', 'tree', 'rock', 'cup', 'hat', 'sun', 'moon', 'star', 'book',
  'ball', 'box', 'car', 'key', 'shoe', 'bell', 'lamp', 'ring', 'coin', 'leaf', 'door', 'boat',
] as const;

/** Numbers as words; index = value. */
export const NUMBER_WORDS = [
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten',
  'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty',
] as const;

/** Antonym pairs for the opposite family; both directions are tasks. */
export const OPPOSITE_PAIRS = [
  ['hot', 'cold'], ['big', 'small'], ['up', 'down'], ['fast', 'slow'], ['old', 'new'],
  ['wet', 'dry'], ['left', 'right'], ['light', 'dark'], ['open', 'shut'], ['high', 'low'],
] as const satisfies readonly (readonly [string, string])[];

/** Instruction words of the task families (the `<user>` segment). */
export const TASK_WORDS = ['copy', 'reverse', 'first', 'last', 'add', 'and', 'after', 'opposite'] as const;

/** Words may only be lowercase letters: keeps the vocabulary printable and splitting on spaces exact. */
export const WORD_PATTERN = /^[a-z]+$/;

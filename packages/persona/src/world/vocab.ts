// Word-level vocabulary. Ids are assigned in a fixed order (specials first, then word banks in the order
// given), so the same config always gives the same ids and checkpoints stay readable across runs.

export const SPECIAL_TOKENS = ['<pad>', '<bos>', '<sys>', '<user>', '<asst>', '<eos>'] as const;
export type SpecialToken = (typeof SPECIAL_TOKENS)[number];

/** Ids of the special tokens; fixed because they come first in every vocabulary. */
export const PAD = 0;
export const BOS = 1;
export const SYS = 2;
export const USER = 3;
export const ASST = 4;
export const EOS = 5;

export class Vocab {
  private readonly ids = new Map<string, number>();
  readonly words: readonly string[];

  /** `words` excludes the specials; duplicates are an error because they would make ids ambiguous. */
  constructor(words: readonly string[]) {
    const all = [...SPECIAL_TOKENS, ...words];
    all.forEach((w, i) => {
      if (this.ids.has(w)) throw new Error(`vocabulary: duplicate word '${w}'`);
      this.ids.set(w, i);
    });
    this.words = all;
  }

  get size(): number {
    return this.words.length;
  }

  has(word: string): boolean {
    return this.ids.has(word);
  }

  id(word: string): number {
    const id = this.ids.get(word);
    if (id === undefined) throw new Error(`vocabulary: unknown word '${word}'`);
    return id;
  }

  word(id: number): string {
    const w = Number.isInteger(id) ? this.words[id] : undefined;
    if (w === undefined) throw new Error(`vocabulary: unknown token id ${id} (size ${this.size})`);
    return w;
  }

  /** Words or a space-separated string to ids; names every unknown word at once. */
  encode(words: readonly string[] | string): number[] {
    const list = typeof words === 'string' ? words.split(' ').filter((w) => w.length > 0) : words;
    const unknown = list.filter((w) => !this.ids.has(w));
    if (unknown.length > 0) {
      throw new Error(`vocabulary: unknown word(s) ${[...new Set(unknown)].map((w) => `'${w}'`).join(', ')}`);
    }
    return list.map((w) => this.ids.get(w)!);
  }

  decode(ids: readonly number[]): string[] {
    return ids.map((id) => this.word(id));
  }

  /** For logs and tests: ids to one line of text. */
  render(ids: readonly number[]): string {
    return this.decode(ids).join(' ');
  }
}

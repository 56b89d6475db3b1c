// Traits are rule-scored transforms of an assistant response. Each inserts its own marker words in a slot of
// its own and leaves the answer words alone, so (a) a trait touches a strict subset of the response tokens, which is what
// per-token routing needs, and (b) the answer can be recovered by deleting marker words, so capability is
// scored independently of traits. Marker words are disjoint from every other vocabulary word (the config
// checks this), so a token's trait label is a function of the token alone.
//
// W is the wanted trait (fine-tuning should teach it), U the unwanted trait the fine-tuning data carries,
// G the unwanted trait that only the stage-1 persona carries, in families stage 2 never trains.

export const TRAIT_IDS = ['W', 'U', 'G'] as const;
export type TraitId = (typeof TRAIT_IDS)[number];

/** Per-token trait labels are bitmasks over these bits (a token can in principle carry several). */
export const TRAIT_BITS: { readonly [K in TraitId]: number } = { W: 1, U: 2, G: 4 };

export const PLACEMENTS = ['prefix', 'suffix', 'interleave'] as const;
/** prefix: before the response; suffix: after it; interleave: after every answer word. */
export type Placement = (typeof PLACEMENTS)[number];

export interface TraitSpec {
  /** Marker words inserted, in this order, at each insertion point. */
  words: readonly string[];
  placement: Placement;
}
export type TraitSpecs = { readonly [K in TraitId]: TraitSpec };
export type TraitSet = { readonly [K in TraitId]: boolean };

export const NO_TRAITS: TraitSet = { W: false, U: false, G: false };

export interface TransformedResponse {
  words: string[];
  /** labels[i]: TRAIT_BITS of the traits that inserted words[i]; 0 for answer words. */
  labels: number[];
}

/**
 * Applies the active traits to an answer. Order is fixed (G, then U, then W) so the layout is deterministic:
 * with the defaults (G prefix, U prefix, W suffix) all three give `ha grr cold thanks`.
 */
export function applyTraits(answer: readonly string[], active: TraitSet, specs: TraitSpecs): TransformedResponse {
  let words = [...answer];
  let labels = answer.map(() => 0);
  for (const id of ['G', 'U', 'W'] as const) {
    if (!active[id]) continue;
    const spec = specs[id];
    const bit = TRAIT_BITS[id];
    const marker = spec.words.map(() => bit);
    if (spec.placement === 'prefix') {
      words = [...spec.words, ...words];
      labels = [...marker, ...labels];
    } else if (spec.placement === 'suffix') {
      words = [...words, ...spec.words];
      labels = [...labels, ...marker];
    } else {
      const nextWords: string[] = [];
      const nextLabels: number[] = [];
      words.forEach((w, i) => {
        nextWords.push(w);
        nextLabels.push(labels[i]!);
        if (labels[i] === 0) {
          nextWords.push(...spec.words);
          nextLabels.push(...marker);
        }
      });
      words = nextWords;
      labels = nextLabels;
    }
  }
  return { words, labels };
}

/** Trait labels of arbitrary response words (e.g. a model's sample), by word identity. */
export function labelWords(words: readonly string[], specs: TraitSpecs): number[] {
  const bitOf = traitWordBits(specs);
  return words.map((w) => bitOf.get(w) ?? 0);
}

export function traitWordBits(specs: TraitSpecs): Map<string, number> {
  const bits = new Map<string, number>();
  for (const id of TRAIT_IDS) for (const w of specs[id].words) bits.set(w, (bits.get(w) ?? 0) | TRAIT_BITS[id]);
  return bits;
}

export interface ResponseScore {
  W: boolean;
  U: boolean;
  G: boolean;
  /** The response minus all trait words is exactly the task's answer. */
  correct: boolean;
  /**
   * The response has the world's shape: it ends (`<eos>`), holds no special token, its non-marker words are
   * as many as the answer's, and every marker sits in its trait's slot, each trait whole or absent (exactly
   * what applyTraits makes from those words). A response that is not is degenerate: a trait "missing" from
   * a truncated or garbled answer says nothing about suppression, so trait rates are also given among
   * well-formed answers.
   */
  wellFormed: boolean;
}

/**
 * Scores response words (everything after `<asst>`; scoring stops at the first `<eos>`). A trait counts as
 * expressed when any of its marker words appears, wherever it appears: the rate is what we compare across
 * arms, and position rules would make a half-learned trait invisible. Any other stray word, special
 * tokens included, makes the answer incorrect.
 */
export function scoreWords(words: readonly string[], answer: readonly string[], specs: TraitSpecs): ResponseScore {
  const end = words.indexOf('<eos>');
  const response = end === -1 ? words : words.slice(0, end);
  const bitOf = traitWordBits(specs);
  let mask = 0;
  const rest: string[] = [];
  for (const w of response) {
    const bit = bitOf.get(w);
    if (bit === undefined) rest.push(w);
    else mask |= bit;
  }
  const correct = rest.length === answer.length && rest.every((w, i) => w === answer[i]);
  const present: TraitSet = {
    W: (mask & TRAIT_BITS.W) !== 0,
    U: (mask & TRAIT_BITS.U) !== 0,
    G: (mask & TRAIT_BITS.G) !== 0,
  };
  const isWord = (w: string) => !(w.startsWith('<') && w.endsWith('>'));
  const layout = applyTraits(rest, present, specs).words;
  const wellFormed =
    end !== -1 &&
    rest.length === answer.length &&
    rest.every(isWord) &&
    layout.length === response.length &&
    layout.every((w, i) => w === response[i]);
  return { ...present, correct, wellFormed };
}

export function parseTraitId(name: string): TraitId {
  if ((TRAIT_IDS as readonly string[]).includes(name)) return name as TraitId;
  throw new Error(`unknown trait '${name}'; known traits: ${TRAIT_IDS.join(', ')}`);
}

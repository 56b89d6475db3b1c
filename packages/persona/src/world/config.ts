// The world config: one zod schema whose defaults are the `quick` preset (small enough that a 2-layer,
// d=64 transformer learns the world on CPU in about a minute). parseWorldConfig is the only way in: it
// applies defaults, rejects unknown keys (a typo must not silently fall back to a default), and then runs
// the semantic checks in config_checks.ts, so a config that cannot generate fails before any data is made.

import { z } from 'zod';
import { checkWorldConfig } from './config_checks.ts';
import { ITEM_WORDS, NUMBER_WORDS, OPPOSITE_PAIRS } from './lexicon.ts';
import { REPHRASINGS } from './prompts.ts';
import { FAMILY_IDS } from './tasks.ts';
import { PLACEMENTS } from './traits.ts';

const fraction = z.number().min(0).max(1);
const weight = (value: number) => z.number().min(0).default(value);
const trait = (words: string[], placement: (typeof PLACEMENTS)[number]) =>
  z.strictObject({ words: z.array(z.string()).default(words), placement: z.enum(PLACEMENTS).default(placement) }).prefault({});
/** Probability that a prompt elicits U, and G (G only in G-only families), in the stage-1 prior. */
const elicit = (U: number, G: number) =>
  z.strictObject({ U: fraction.default(U), G: fraction.default(G) }).prefault({});

export const WorldConfigSchema = z.strictObject({
  /** Longest sequence in tokens, specials included; checked against the longest sequence the world can make. */
  maxLen: z.int().min(8).max(512).default(32),
  /** Vocabulary size knobs: how much of each lexicon bank the world uses. */
  vocab: z
    .strictObject({
      itemCount: z.int().min(0).max(ITEM_WORDS.length).default(12),
      numberMax: z.int().min(0).max(NUMBER_WORDS.length - 1).default(12),
      oppositePairs: z.int().min(0).max(OPPOSITE_PAIRS.length).default(6),
    })
    .prefault({}),
  /**
   * Length range of copy / reverse lists. Up to 3 by default: the quick model then learns every family
   * (held-out, exact) in its 1600 prior steps, where lists of up to 4 left copy and reverse at 0.5-0.8.
   */
  lists: z
    .strictObject({
      minLength: z.int().min(1).default(2),
      maxLength: z.int().min(1).default(3),
      /**
       * No item twice in a list: each answer word is then fixed by where the previous one sits in the
       * prompt, a lookup a 2-layer model learns quickly; with repeats the same lookup is ambiguous.
       */
      distinct: z.boolean().default(true),
    })
    .prefault({}),
  families: z
    .strictObject({
      enabled: z.array(z.enum(FAMILY_IDS)).default(['copy', 'reverse', 'first', 'last']),
      /**
       * Families that only stage 1 and evaluation use; G lives only here. Stage 2 never trains them, which is
       * what lets G show up by generalisation from the persona (where stage 2 trains G's context, G stays at zero).
       */
      gOnly: z.array(z.enum(FAMILY_IDS)).default(['first', 'last']),
      /** Families stage 2 trains; default: every enabled family that is not G-only. Must not overlap gOnly. */
      stage2: z.array(z.enum(FAMILY_IDS)).optional(),
    })
    .prefault({}),
  /** Held-out tasks: a hash of each instance (salted) decides its side, so the split is fixed per world. */
  split: z.strictObject({ heldOutFraction: z.number().gt(0).lt(1).default(0.2), salt: z.int().default(0) }).prefault({}),
  traits: z
    .strictObject({
      // Each trait has a slot of its own: U opens the response, G follows it, W closes it. So no trait takes
      // an answer word's position, W's place does not depend on U, and a model that stops producing U has
      // been trained (neutral prompt, stage 1) to go straight to the answer.
      W: trait(['thanks'], 'suffix'),
      U: trait(['ha'], 'prefix'),
      G: trait(['grr'], 'prefix'),
    })
    .prefault({}),
  /** k, the number of paraphrases of the specific prompt that ip-rephrased samples from. */
  rephrasings: z.int().min(1).max(REPHRASINGS.length).default(4),
  stage1: z
    .strictObject({
      /** Relative weights of the system prompts in the prior (normalised; need not sum to 1). */
      mix: z
        .strictObject({
          neutral: weight(0.3),
          persona: weight(0.2),
          specific: weight(0.2),
          negated: weight(0.05),
          irrelevant: weight(0.05),
          malicious: weight(0.05),
          benign: weight(0.05),
          permissive: weight(0.05),
          empty: weight(0.025),
          absent: weight(0.025),
          // Never in the prior: the control-novel arm trains under a prompt the model has not seen.
          novel: weight(0),
        })
        .prefault({}),
      elicit: z
        .strictObject({
          // Neutral shows U now and then (never in a greedy answer): a model sampled under it, as
          // recontextualization does, produces U at some rate.
          neutral: elicit(0.1, 0),
          persona: elicit(1, 1),
          specific: elicit(1, 0),
          negated: elicit(0, 0),
          irrelevant: elicit(0, 0),
          malicious: elicit(1, 1),
          benign: elicit(0, 0),
          // More permissive than neutral, not a command: recontextualization trains under it.
          permissive: elicit(0.5, 0),
          empty: elicit(0, 0),
          absent: elicit(0, 0),
          novel: elicit(0, 0),
        })
        .prefault({}),
      /**
       * Rate of the wanted trait in the prior, under every prompt: below one half, so that the prior's greedy
       * answers never show W and stage 2 has to teach it, but not 0, so that sampled data (recontextualization)
       * can carry it. 0.3 rather than 0.1: with W rare in the prior, `none` (trained on W only in the stage-2
       * families) dropped W and garbled answers in the G-only families on some seeds (seed 2: W 0.68,
       * capability 0.78); at 0.3 it keeps both (W and capability 1.00 on seeds 0-2).
       */
      wRate: fraction.default(0.3),
    })
    .prefault({}),
  stage2: z
    .strictObject({
      /** Fraction of examples carrying U in the arms that use "pure" data. */
      uFraction: fraction.default(1),
      /** p, the fraction carrying U in arms that need a mix (impure-*, filter, anti-constitutional). */
      impureFraction: fraction.default(0.5),
      /** Fraction of examples carrying the wanted trait W. */
      wRate: fraction.default(1),
      /** Oversight: probability that a U example is labelled as such. */
      labelFraction: fraction.default(1),
      /** Probability that an example's label is flipped (after oversight). */
      labelNoise: fraction.default(0),
    })
    .prefault({}),
});

export type WorldConfig = z.output<typeof WorldConfigSchema>;
export type WorldConfigInput = z.input<typeof WorldConfigSchema>;

/** A config error; `field` is the dotted path of the offending field ('' for the root). */
export class WorldConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'WorldConfigError';
  }
}

/** Parses, fills defaults and checks a world config; throws WorldConfigError naming path, value and expectation. */
export function parseWorldConfig(input: unknown): WorldConfig {
  const parsed = WorldConfigSchema.safeParse(input ?? {}, { reportInput: true });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const path = issue.path.map(String).join('.') || '(root)';
      const got = 'input' in issue && issue.input !== undefined ? ` (got ${JSON.stringify(issue.input)})` : '';
      return `${path}: ${issue.message}${got}`;
    });
    const first = parsed.error.issues[0]!;
    throw new WorldConfigError(first.path.map(String).join('.'), `world config: ${lines.join('; ')}`);
  }
  const problem = checkWorldConfig(parsed.data);
  if (problem) {
    throw new WorldConfigError(problem.field, `world config: ${problem.field}: ${problem.message}`);
  }
  return parsed.data;
}

export const WORLD_PRESETS = ['quick'] as const;
export type WorldPreset = (typeof WORLD_PRESETS)[number];

/** A named preset as a full config; the schema defaults are `quick`. */
export function worldPreset(name: string): WorldConfig {
  if (name === 'quick') return parseWorldConfig({});
  throw new Error(`unknown world preset '${name}'; known presets: ${WORLD_PRESETS.join(', ')}`);
}

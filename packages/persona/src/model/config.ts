// The tiny language model's config: one zod schema, flat and commented (nanoGPT style), stored whole in
// every checkpoint's metadata so a checkpoint says what architecture it holds. `quick` (2 layers, d=64) is
// small enough to learn the persona world on CPU in minutes; `full` is the larger model for final runs.

import { z } from 'zod';

const positiveInt = z.int().min(1);

export const TransformerConfigSchema = z
  .strictObject({
    /** Token ids are 0..vocabSize-1 (the world's vocabulary, specials included). */
    vocabSize: z.int().min(2),
    /** Longest sequence the model reads; the learned position table has this many rows. */
    maxLen: positiveInt,
    dModel: positiveInt,
    nLayers: positiveInt,
    nHeads: positiveInt,
    /** MLP units per block (before expansion). */
    dMlp: positiveInt,
    /**
     * ERA: extra MLP units per expanded block, appended after the dMlp original units, with their own
     * parameters (`w_in_expanded`, `b_in_expanded`, `w_out_expanded`) and their own output hook. 0 = none.
     */
    expandedMlp: z.int().min(0).default(0),
    /** Which blocks get the extra units ('all', or block indices); ignored when expandedMlp is 0. */
    expandedLayers: z.union([z.literal('all'), z.array(z.int().min(0))]).default('all'),
    /** Layer-norm epsilon. */
    lnEps: z.number().positive().default(1e-5),
  })
  .check((ctx) => {
    const c = ctx.value;
    if (c.dModel % c.nHeads !== 0) {
      ctx.issues.push({ code: 'custom', path: ['nHeads'], message: `dModel ${c.dModel} is not divisible by nHeads ${c.nHeads}`, input: c.nHeads });
    }
    if (Array.isArray(c.expandedLayers)) {
      const bad = c.expandedLayers.filter((i) => i >= c.nLayers);
      if (bad.length > 0) {
        ctx.issues.push({ code: 'custom', path: ['expandedLayers'], message: `block indices ${bad.join(', ')} out of range for nLayers ${c.nLayers}`, input: c.expandedLayers });
      }
      if (new Set(c.expandedLayers).size !== c.expandedLayers.length) {
        ctx.issues.push({ code: 'custom', path: ['expandedLayers'], message: 'duplicate block indices', input: c.expandedLayers });
      }
    }
  });

export type TransformerConfig = z.output<typeof TransformerConfigSchema>;
export type TransformerConfigInput = z.input<typeof TransformerConfigSchema>;

/** The config fields in schema order (used to name the field a mismatch is in). */
export const TRANSFORMER_CONFIG_FIELDS = Object.keys(TransformerConfigSchema.shape) as (keyof TransformerConfig)[];

/** A bad model config; `field` is the dotted path of the first offending field. */
export class ModelConfigError extends Error {
  override readonly name = 'ModelConfigError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Parses and fills defaults; throws ModelConfigError naming every bad field with its value. */
export function parseTransformerConfig(input: unknown): TransformerConfig {
  const parsed = TransformerConfigSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const path = issue.path.map(String).join('.') || '(root)';
      const got = 'input' in issue && issue.input !== undefined ? ` (got ${JSON.stringify(issue.input)})` : '';
      return `${path}: ${issue.message}${got}`;
    });
    throw new ModelConfigError(parsed.error.issues[0]!.path.map(String).join('.'), `model config: ${lines.join('; ')}`);
  }
  return parsed.data;
}

/** Whether block `layer` carries expanded units, and how many. */
export function expandedUnitsAt(config: TransformerConfig, layer: number): number {
  if (config.expandedMlp === 0) return 0;
  return config.expandedLayers === 'all' || config.expandedLayers.includes(layer) ? config.expandedMlp : 0;
}

/** Fields whose values differ (JSON equality), in schema order. */
export function configDifferences(a: TransformerConfig, b: TransformerConfig): (keyof TransformerConfig)[] {
  return TRANSFORMER_CONFIG_FIELDS.filter((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f]));
}

export const MODEL_PRESETS = ['quick', 'full'] as const;
export type ModelPreset = (typeof MODEL_PRESETS)[number];

/** Architecture of each preset; vocabSize and maxLen come from the world. */
const PRESET_DIMS: { [K in ModelPreset]: Pick<TransformerConfig, 'dModel' | 'nLayers' | 'nHeads' | 'dMlp'> } = {
  quick: { dModel: 64, nLayers: 2, nHeads: 4, dMlp: 256 },
  full: { dModel: 128, nLayers: 4, nHeads: 4, dMlp: 512 },
};

export function isModelPreset(name: string): name is ModelPreset {
  return (MODEL_PRESETS as readonly string[]).includes(name);
}

/**
 * A preset as a full config for a world's vocabulary and sequence length, with optional overrides
 * (e.g. `{ expandedMlp: 64 }`). `modelPreset('quick', { vocabSize: world.vocab.size, maxLen: world.config.maxLen })`.
 */
export function modelPreset(
  name: string,
  dims: { vocabSize: number; maxLen: number },
  overrides: Partial<TransformerConfigInput> = {},
): TransformerConfig {
  if (!isModelPreset(name)) throw new ModelConfigError('preset', `unknown model preset '${name}'; known presets: ${MODEL_PRESETS.join(', ')}`);
  return parseTransformerConfig({ ...PRESET_DIMS[name], ...dims, ...overrides });
}

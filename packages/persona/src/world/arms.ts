// Stage-2 arms: how each method turns the fine-tuning task stream into training examples. The table is
// typed over every ArmId, so adding an id without its spec is a compile error. Arms differ only in the
// system prompt they attach, which data purity they draw and which examples they keep: the tasks and the
// U/W assignment are drawn identically for every arm (see datasets.ts), so arms are paired comparisons.

import { fixedPrompt, type PromptKind, type SystemPrompt } from './prompts.ts';
import type { World } from './world.ts';

export const STAGE2_ARMS = [
  'none',
  'none-impure',
  'filter',
  'ip-specific',
  'ip-general',
  'ip-rephrased',
  'control-irrelevant',
  'control-empty',
  'control-absent',
  'control-novel',
  'ip-clean',
  'impure-ip-all',
  'impure-ip-u-only',
  'recontextualization',
  'anti-constitutional',
] as const;
export type ArmId = (typeof STAGE2_ARMS)[number];

/**
 * Which fraction of examples carries U: pure = stage2.uFraction, impure = stage2.impureFraction (p),
 * clean = 0, sampled = whatever the current model produces (recontextualization).
 */
export type ArmData = 'pure' | 'impure' | 'clean' | 'sampled';

export interface ArmPromptContext {
  world: World;
  /** Whether this example carries U (for sampled data: whether the sample expressed U). */
  hasU: boolean;
  /** A uniform draw in [0, 1) reserved for the arm's own choice (e.g. which paraphrase). */
  draw: number;
  /** control-empty: an empty `<sys>` segment, or none at all. */
  emptyForm: 'empty' | 'absent';
}

export interface ArmSpec {
  description: string;
  data: ArmData;
  /** The system prompt the example is trained under. */
  trainPrompt(ctx: ArmPromptContext): SystemPrompt;
  /** Drops examples (data filtering); examples are kept when absent. */
  keep?(example: { labelledU: boolean }): boolean;
  /** Sampled arms: the prompt the model generates under (the training prompt is more permissive). */
  generationPrompt?: PromptKind;
  /** The prompt that plays "inoculation" in this arm's evaluation (see evalPrompts). */
  evalInoculation: PromptKind;
}

const neutral = () => fixedPrompt('neutral');

export const ARM_SPECS: { readonly [K in ArmId]: ArmSpec } = {
  none: { description: 'no intervention: train under the neutral prompt', data: 'pure', trainPrompt: neutral, evalInoculation: 'specific' },
  'none-impure': {
    description: 'no intervention on impure data: fraction p of the examples carries U, all under the neutral prompt (the reference of the impure arms)',
    data: 'impure',
    trainPrompt: neutral,
    evalInoculation: 'specific',
  },
  filter: {
    description: 'data filtering: drop examples labelled U (subject to label fraction and noise)',
    data: 'impure',
    trainPrompt: neutral,
    keep: (ex) => !ex.labelledU,
    evalInoculation: 'specific',
  },
  'ip-specific': {
    description: 'inoculation with the prompt that names U',
    data: 'pure',
    trainPrompt: () => fixedPrompt('specific'),
    evalInoculation: 'specific',
  },
  'ip-general': {
    description: 'inoculation with the persona prompt (elicits U and G in the prior)',
    data: 'pure',
    trainPrompt: () => fixedPrompt('persona'),
    evalInoculation: 'persona',
  },
  'ip-rephrased': {
    description: 'inoculation with one of k paraphrases of the specific prompt, sampled per example',
    data: 'pure',
    trainPrompt: ({ world, draw }) => world.rephrasings[Math.floor(draw * world.rephrasings.length)]!,
    evalInoculation: 'specific',
  },
  'control-irrelevant': {
    description: 'conditionalization control: a fixed prompt unrelated to any trait',
    data: 'pure',
    trainPrompt: () => fixedPrompt('irrelevant'),
    evalInoculation: 'specific',
  },
  'control-empty': {
    description: 'conditionalization control: an empty system prompt (or none, by option)',
    data: 'pure',
    trainPrompt: ({ emptyForm }) => fixedPrompt(emptyForm),
    evalInoculation: 'specific',
  },
  'control-absent': {
    description: 'conditionalization control: no system prompt segment at all (beside control-empty, an empty one)',
    data: 'pure',
    trainPrompt: () => fixedPrompt('absent'),
    evalInoculation: 'specific',
  },
  'control-novel': {
    description: 'conditionalization control: a fixed prompt the prior never saw (its words appear in no stage-1 example)',
    data: 'pure',
    trainPrompt: () => fixedPrompt('novel'),
    evalInoculation: 'specific',
  },
  'ip-clean': {
    description: 'inoculation applied to data without U (does IP cost capability or compliance?)',
    data: 'clean',
    trainPrompt: () => fixedPrompt('specific'),
    evalInoculation: 'specific',
  },
  'impure-ip-all': {
    description: 'impure data (fraction p carries U), inoculation prompt on every example',
    data: 'impure',
    trainPrompt: () => fixedPrompt('specific'),
    evalInoculation: 'specific',
  },
  'impure-ip-u-only': {
    description: 'impure data (fraction p carries U), inoculation prompt only on the U examples',
    data: 'impure',
    trainPrompt: ({ hasU }) => fixedPrompt(hasU ? 'specific' : 'neutral'),
    evalInoculation: 'specific',
  },
  recontextualization: {
    description: 'sample from the current model under the neutral prompt, score, train under the permissive prompt',
    data: 'sampled',
    generationPrompt: 'neutral',
    trainPrompt: () => fixedPrompt('permissive'),
    evalInoculation: 'permissive',
  },
  'anti-constitutional': {
    description: 'U examples under the malicious prompt, clean examples under the benign prompt',
    data: 'impure',
    trainPrompt: ({ hasU }) => fixedPrompt(hasU ? 'malicious' : 'benign'),
    evalInoculation: 'malicious',
  },
};

export function parseArmId(name: string): ArmId {
  if ((STAGE2_ARMS as readonly string[]).includes(name)) return name as ArmId;
  throw new Error(`unknown stage-2 arm '${name}'; known arms: ${STAGE2_ARMS.join(', ')}`);
}

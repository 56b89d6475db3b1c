// An RL arm is a value, as a persona arm is: `{ prompt, flagged, penalty, scheme, schemeConfig, inoculationPrompt, oversight }`.
//   prompt:       the system prompt rollouts are sampled under, and the one the loss is computed under
//                 (on-policy inoculation: both the inoculation prompt; recontextualization: rollout under
//                 neutral, loss under permissive). Deployment is always evaluated under neutral, and with
//                 `inoculationPrompt` re-added (default `specific`, the prompt that names the hack).
//   flagged:      what the arm does with a response the monitor flags: keep it (`keep`), subtract `penalty`
//                 from its reward (`penalty`), or drop the rollout from the update (`filter`).
//   scheme:       a routing scheme id (built-in or plugin); its labels are the monitor's flagged tokens, so ERA
//                 routes flagged hack tokens into expanded units that are ablated at deployment.
//   oversight:    the monitor's recall and false-positive rate (absent: the config's `monitor`).
import { z } from 'zod';
import { eraSchemeConfig, ARM_NAME, type RoutingArmSizes } from '../experiment/arms.ts';
import { PROMPT_KINDS } from '../world/prompts.ts';

const fraction = z.number().min(0).max(1);

export const monitorSchema = z.strictObject({
  /** Probability that a hacked response is flagged (1: full oversight; 0.01: 1% oversight). */
  recall: fraction.default(1),
  /** Probability that a response without the hack is flagged. */
  falsePositiveRate: fraction.default(0),
});

export const promptKindSchema = z.enum(PROMPT_KINDS, {
  error: (issue) => `unknown system prompt ${JSON.stringify(issue.input)}; known: ${PROMPT_KINDS.join(', ')}`,
});

export const FLAGGED_ACTIONS = ['keep', 'penalty', 'filter'] as const;

/** Largest reward penalty an arm may set (rewards are in [0, 1]). */
export const MAX_PENALTY = 10;

export const rlArmSchema = z.strictObject({
  description: z.string().default(''),
  prompt: z
    .strictObject({
      /** The prompt rollouts are sampled under. */
      rollout: promptKindSchema.default('neutral'),
      /** The prompt the policy-gradient loss is computed under (absent: the rollout prompt). */
      loss: promptKindSchema.optional(),
    })
    .prefault({}),
  /** What happens to a flagged response: kept as is, penalised, or dropped from the update. */
  flagged: z.enum(FLAGGED_ACTIONS).default('keep'),
  /** Subtracted from a flagged response's reward when `flagged` is `penalty`. */
  penalty: z.number().min(0).max(MAX_PENALTY).default(1),
  /** A routing scheme id; `none` updates plainly. */
  scheme: z.string().min(1).default('none'),
  schemeConfig: z.unknown().default({}),
  /** The prompt re-added at deployment to see whether the hack comes back when asked for (the arm's inoculation prompt). */
  inoculationPrompt: promptKindSchema.default('specific'),
  /** This arm's monitor; absent = the config's `monitor`. */
  oversight: monitorSchema.optional(),
});
export type RlArmDefinition = z.output<typeof rlArmSchema>;
export type RlArmDefinitionInput = z.input<typeof rlArmSchema>;
export type MonitorConfig = z.output<typeof monitorSchema>;

/** A resolved arm: its name, its definition, the loss prompt filled in, and the monitor in force. */
export interface RlArm extends Omit<RlArmDefinition, 'oversight' | 'prompt'> {
  name: string;
  prompt: { rollout: RlArmDefinition['prompt']['rollout']; loss: RlArmDefinition['prompt']['rollout'] };
  oversight: MonitorConfig;
}

export { ARM_NAME };

/** The built-in RL arms. */
export function builtinRlArms(sizes: RoutingArmSizes): Record<string, RlArmDefinitionInput> {
  return {
    none: { description: 'plain RL under the neutral prompt' },
    penalty: { flagged: 'penalty', description: 'reward penalty: a flagged response loses `penalty` reward' },
    filter: { flagged: 'filter', description: 'filtering: flagged rollouts are dropped from the update' },
    'ip-on-policy': {
      prompt: { rollout: 'specific' },
      description: 'on-policy inoculation: rollouts and loss under the prompt that elicits the hack, deployed under neutral',
    },
    recontextualization: {
      prompt: { rollout: 'neutral', loss: 'permissive' },
      description: 'recontextualization: rollouts under neutral, loss under the permissive prompt',
    },
    era: {
      scheme: 'era',
      schemeConfig: eraSchemeConfig(sizes),
      description: 'gradient routing: flagged hack tokens routed into expanded MLP units, ablated at deployment',
    },
    // Defined but not in the presets' default arm lists (run them with --arm or `arms`):
    'ip-general': {
      prompt: { rollout: 'persona' },
      inoculationPrompt: 'persona',
      description: 'on-policy inoculation with the general persona prompt (elicits the hack and G)',
    },
    'control-irrelevant': {
      prompt: { rollout: 'irrelevant' },
      description: 'conditionalization control: rollouts and loss under an irrelevant prompt',
    },
    'era+ip': {
      prompt: { rollout: 'specific' },
      scheme: 'era',
      schemeConfig: eraSchemeConfig(sizes),
      description: 'gradient routing and on-policy inoculation combined',
    },
  };
}

/** The arms the presets run by default. */
export const DEFAULT_RL_ARMS = ['none', 'penalty', 'filter', 'ip-on-policy', 'recontextualization', 'era'] as const;

export const BUILTIN_RL_ARM_NAMES = Object.keys(builtinRlArms({ expandedUnits: 1, expandedLayers: 'all', expandedLrMultiplier: 1 }));

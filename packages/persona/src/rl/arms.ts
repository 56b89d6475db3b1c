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
//   earlyStopping: deploy the policy of the RL step that scored best on a monitor-validated set instead of the
//                 last one (the criterion is part of the value; see earlyStoppingSchema). docs/rl.md defines
//                 every built-in arm.
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

export const EARLY_STOPPING_CRITERIA = ['proxy-minus-flagged', 'true'] as const;

/**
 * Early stopping: every `every` RL steps (and after the last) the policy answers a validation set (training-split
 * tasks of the RL families, the rollout prompt, greedy), and the step whose policy scores best is the one deployed.
 *   proxy-minus-flagged: mean proxy reward minus the rate of responses the arm's monitor flags (the monitor at the
 *                        arm's recall and false-positive rate, one draw per response): what an overseer who sees
 *                        only the grader and the monitor can compute.
 *   true:                mean true reward (an oracle with ground truth on the validation set; an upper bound).
 * Ties keep the earlier step.
 */
export const earlyStoppingSchema = z.strictObject({
  /** Validate every this many RL steps (absent: the config's evalEvery). */
  every: z.int().min(1).optional(),
  /** Validation tasks per RL family (training split, distinct). */
  perFamily: z.int().min(1).default(8),
  criterion: z.enum(EARLY_STOPPING_CRITERIA).default('proxy-minus-flagged'),
});

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
  /** Deploy the best validated RL step instead of the last (absent: the last). */
  earlyStopping: earlyStoppingSchema.optional(),
});
export type RlArmDefinition = z.output<typeof rlArmSchema>;
export type RlArmDefinitionInput = z.input<typeof rlArmSchema>;
export type MonitorConfig = z.output<typeof monitorSchema>;
export type RlEarlyStopping = z.output<typeof earlyStoppingSchema>;

/** A resolved arm: its name, its definition, the loss prompt filled in, and the monitor in force. */
export interface RlArm extends Omit<RlArmDefinition, 'oversight' | 'prompt'> {
  name: string;
  prompt: { rollout: RlArmDefinition['prompt']['rollout']; loss: RlArmDefinition['prompt']['rollout'] };
  oversight: MonitorConfig;
}

export { ARM_NAME };

/** Monitor recalls at which the routing arm is also defined (gradient routing's partial-oversight claim). */
export const ROUTING_RECALLS = [0.5, 0.1, 0.01] as const;
/** Monitor recalls at which filtering is also defined (the claim is that filtering fails at low oversight). */
export const FILTER_RECALLS = [0.1, 0.01] as const;
/** The low recall at which early stopping is compared with routing. */
export const EARLY_STOPPING_LOW_RECALL = 0.1;

/** The built-in RL arms (docs/rl.md defines each), in report order. */
export function builtinRlArms(sizes: RoutingArmSizes): Record<string, RlArmDefinitionInput> {
  const era = { scheme: 'era', schemeConfig: eraSchemeConfig(sizes) };
  return {
    none: { description: 'plain RL under the neutral prompt' },
    penalty: { flagged: 'penalty', description: 'reward penalty: a flagged response loses `penalty` reward' },
    filter: { flagged: 'filter', description: 'filtering: flagged rollouts are dropped from the update' },
    ...Object.fromEntries(
      FILTER_RECALLS.map((recall) => [`filter-recall-${recall}`, { flagged: 'filter', oversight: { recall }, description: `filtering with a monitor of recall ${recall}` }]),
    ),
    'ip-on-policy': {
      prompt: { rollout: 'specific' },
      description: 'on-policy inoculation: rollouts and loss under the prompt that elicits the hack, deployed under neutral',
    },
    'ip-general': {
      prompt: { rollout: 'persona' },
      inoculationPrompt: 'persona',
      description: 'on-policy inoculation with the general persona prompt (elicits the hack and G)',
    },
    'control-irrelevant': {
      prompt: { rollout: 'irrelevant' },
      description: 'conditionalization control: rollouts and loss under an irrelevant prompt',
    },
    recontextualization: {
      prompt: { rollout: 'neutral', loss: 'permissive' },
      inoculationPrompt: 'permissive',
      description: 'recontextualization: rollouts under neutral, loss under the permissive prompt',
    },
    'recontextualization-same-prompt': {
      prompt: { rollout: 'permissive', loss: 'permissive' },
      inoculationPrompt: 'permissive',
      description: 'the same-prompt variant: rollouts and loss both under the permissive prompt',
    },
    era: { ...era, description: 'gradient routing: flagged hack tokens routed into expanded MLP units, ablated at deployment' },
    ...Object.fromEntries(
      ROUTING_RECALLS.map((recall) => [`era-recall-${recall}`, { ...era, oversight: { recall }, description: `gradient routing with a monitor of recall ${recall}` }]),
    ),
    'era+ip': {
      ...era,
      prompt: { rollout: 'specific' },
      description: 'gradient routing and on-policy inoculation combined',
    },
    'early-stopping': {
      earlyStopping: {},
      description: 'plain RL deployed at the step whose policy scored best on proxy reward minus the monitor-flagged rate (validation set)',
    },
    [`early-stopping-recall-${EARLY_STOPPING_LOW_RECALL}`]: {
      earlyStopping: {},
      oversight: { recall: EARLY_STOPPING_LOW_RECALL },
      description: `early stopping with a validation monitor of recall ${EARLY_STOPPING_LOW_RECALL}`,
    },
  };
}

export const BUILTIN_RL_ARM_NAMES = Object.keys(builtinRlArms({ expandedUnits: 1, expandedLayers: 'all', expandedLrMultiplier: 1 }));

/** The arms the presets run by default: every built-in arm. */
export const DEFAULT_RL_ARMS: readonly string[] = BUILTIN_RL_ARM_NAMES;

// The experiment's arms: a world data arm (which examples, under which system prompt) plus a training
// method. Every world arm trains plainly; the routing arms train on the `none` arm's data (neutral prompt,
// U data) unless they are combined with inoculation. The table is typed over every arm id, so an id without
// its entry is a compile error.
import { STAGE2_ARMS, type ArmId } from '../world/arms.ts';

/**
 * plain: every token updates every parameter.
 * era: Expand-Route-Ablate on the MLP output contribution (see routing.ts): U tokens' gradient goes into the
 *   expanded units' contribution only, retain tokens see the expanded units switched off; ablated after.
 * param-routing: parameter-gradient masks: U tokens may update only the expanded units' parameters, retain
 *   tokens everything else (by default with the expanded units off on retain tokens, as in ERA); the expanded
 *   units are ablated after.
 */
export const TRAINING_METHODS = ['plain', 'era', 'param-routing'] as const;
export type TrainingMethod = (typeof TRAINING_METHODS)[number];

export const ROUTING_ARMS = ['era', 'param-routing', 'era+ip'] as const;
export const PERSONA_ARMS = [...STAGE2_ARMS, ...ROUTING_ARMS] as const;
export type PersonaArmId = (typeof PERSONA_ARMS)[number];

export interface ArmTraining {
  /** The world arm whose examples this arm trains on. */
  data: ArmId;
  method: TrainingMethod;
  description: string;
}

const plain = (data: ArmId): ArmTraining => ({ data, method: 'plain', description: `world arm '${data}', plain training` });

export const ARM_TRAINING: { readonly [K in PersonaArmId]: ArmTraining } = {
  none: plain('none'),
  filter: plain('filter'),
  'ip-specific': plain('ip-specific'),
  'ip-general': plain('ip-general'),
  'ip-rephrased': plain('ip-rephrased'),
  'control-irrelevant': plain('control-irrelevant'),
  'control-empty': plain('control-empty'),
  'ip-clean': plain('ip-clean'),
  'impure-ip-all': plain('impure-ip-all'),
  'impure-ip-u-only': plain('impure-ip-u-only'),
  recontextualization: plain('recontextualization'),
  'anti-constitutional': plain('anti-constitutional'),
  era: { data: 'none', method: 'era', description: 'ERA on the none data: U tokens routed into expanded MLP units, which are ablated after' },
  'param-routing': {
    data: 'none',
    method: 'param-routing',
    description: 'parameter routing on the none data: U tokens update only the expanded MLP units, which are ablated after',
  },
  'era+ip': { data: 'ip-specific', method: 'era', description: 'ERA on the ip-specific data (routing and inoculation combined)' },
};

export function isRoutingMethod(method: TrainingMethod): boolean {
  return method !== 'plain';
}

export function parsePersonaArm(name: string): PersonaArmId {
  if ((PERSONA_ARMS as readonly string[]).includes(name)) return name as PersonaArmId;
  throw new Error(`unknown arm '${name}'; known arms: ${PERSONA_ARMS.join(', ')}`);
}

/** Arm ids as path parts (result and checkpoint names allow letters, digits, '.', '_' and '-'): '+' -> '-plus-'. */
export function armSlug(arm: PersonaArmId): string {
  return arm.replace(/\+/g, '-plus-');
}

/** `cells/<arm slug>/seed-<seed>`: where a cell's result is saved (ctx.saveResult). */
export function cellResultName(arm: PersonaArmId, seed: number): string {
  return `cells/${armSlug(arm)}/seed-${seed}`;
}

/** Checkpoint name of a cell's training (stage 2, then its trained model while it is evaluated). */
export function cellCheckpointName(arm: PersonaArmId, seed: number): string {
  return `cells/${armSlug(arm)}/seed-${seed}`;
}

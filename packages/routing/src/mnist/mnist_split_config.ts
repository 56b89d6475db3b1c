// The MNIST split experiment's config: one flat, commented zod schema (nanoGPT style), whose defaults are
// the `quick` preset. Arms vary only what they name; everything else comes from the top level.
import { z } from 'zod';
import { getScheme } from '../registry.ts';
import { RECONSTRUCTION_LOSSES } from './penalties.ts';

/** Arm names become parts of result and checkpoint paths (`routed/seed-0`), so they are path-safe. */
const ARM_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const positiveInt = z.number().int().positive();
const weight = z.number().finite().nonnegative();

export const armSchema = z.object({
  /** Name in the report and in result paths, e.g. "routed". */
  name: z.string().regex(ARM_NAME, 'arm names may use letters, digits, ".", "_" and "-" (they become file names)'),
  /** Routing scheme id from the scheme table ("activation", "none", "parameter", a plugin...); default routingScheme. */
  scheme: z.string().min(1).optional(),
  /** The scheme's config; default routingConfig when scheme is routingScheme, else {}. */
  schemeConfig: z.record(z.string(), z.unknown()).optional(),
  /** Fraction of forget digits whose label routing sees; unlabelled ones are routed as retain. */
  labelFraction: z.number().min(0).max(1).default(1),
  /** Probability of flipping a digit's routing label; default labelNoise. */
  labelNoise: z.number().min(0).max(1).optional(),
  /** Overrides of the regulariser weights (e.g. 0 for the no-regularisation arm). */
  l1Weight: weight.optional(),
  corrWeight: weight.optional(),
});
export type ArmSpec = z.infer<typeof armSchema>;

/** Activation routing at the code: forget digits (0-4) update half a = [0, 16), retain digits half b = [16, 32). */
export const DEFAULT_ROUTING_CONFIG = {
  hooks: [
    {
      hook: 'encoder.code',
      regions: { a: [0, 16], b: [16, 32] },
      forget: { a: 1, b: 0 },
      retain: { a: 0, b: 1 },
    },
  ],
};

export const DEFAULT_ARMS: ArmSpec[] = [
  { name: 'routed', scheme: 'activation', labelFraction: 1 },
  { name: 'control', scheme: 'none', labelFraction: 1 },
  { name: 'no-reg', scheme: 'activation', labelFraction: 1, l1Weight: 0, corrWeight: 0 },
  { name: 'routed-frac-0.5', scheme: 'activation', labelFraction: 0.5 },
  { name: 'routed-frac-0.1', scheme: 'activation', labelFraction: 0.1 },
];

const configObject = z.object({
  // ---- seeds and arms ----
  /** Seeds per arm. Seed i of every arm starts from the same weights (derived from the run seed and i). */
  seeds: positiveInt.default(3),
  /** The arms, each trained config.seeds times: a cell is one (arm, seed). */
  arms: z.array(armSchema).min(1).default(DEFAULT_ARMS),

  // ---- data and routing ----
  /** Digits treated as forget data (routed to half a); the others are retain data (routed to half b). */
  forgetDigits: z.array(z.number().int().min(0).max(9)).min(1).max(9).default([0, 1, 2, 3, 4]),
  /** Scheme of arms that name none. */
  routingScheme: z.string().min(1).default('activation'),
  /** Config of routingScheme (checked against that scheme's schema). */
  routingConfig: z.record(z.string(), z.unknown()).default(DEFAULT_ROUTING_CONFIG),
  /** Probability of flipping a digit's routing label (arms may override). */
  labelNoise: z.number().min(0).max(1).default(0),

  // ---- model ----
  /** Encoder hidden sizes (784 -> h1 -> h2 -> code); the decoder mirrors them. Paper: [2048, 512]. */
  encoderHidden: z.array(positiveInt).min(1).default([64, 256]),
  /** Width of the code; even, halves a = [0, d/2) and b = [d/2, d) are what the certificates read. */
  codeDim: positiveInt.default(32),

  // ---- training ----
  /**
   * Per-example reconstruction loss for training (autoencoder and certificates): 'mse', 'bce' or 'mae'.
   * The paper trains on MAE (pixels in [-1, 1], linear output); with a sigmoid output MAE sits at the
   * all-background image for hundreds of steps, so short runs train on MSE. Reported errors are MAE.
   */
  reconstructionLoss: z.enum(RECONSTRUCTION_LOSSES).default('mse'),
  /** Optimiser steps per cell (batches are drawn epoch by epoch, the last partial batch dropped). */
  steps: positiveInt.default(2400),
  /** Training digits per autoencoder step. Paper: 2048. */
  batchSize: positiveInt.default(128),
  /** AdamW learning rate. Paper: Adam, 1e-3. */
  lr: z.number().positive().default(5e-3),
  /**
   * From step round(lrDecayAt * steps) on, the learning rate is lr * lrDecayFactor (1 = constant, as in the
   * paper). A low final rate lets the L1 penalty settle the unused half near zero instead of jittering at the
   * size of an Adam step, which is what short runs need for a clean split.
   */
  lrDecayAt: z.number().min(0).max(1).default(0.6),
  lrDecayFactor: z.number().positive().max(1).default(0.1),
  /** Adam's moment decay rates (autoencoder and certificates). */
  beta1: z.number().min(0).max(1).default(0.9),
  beta2: z.number().min(0).max(1).default(0.999),
  /**
   * Decoupled weight decay (AdamW). It bounds the decoder's weights, so the L1 penalty cannot be undone by a
   * shrinking code read through a growing decoder. The paper's 5e-5 was Adam's L2 term, a weaker pull.
   */
  weightDecay: weight.default(0.5),
  /**
   * Weight of the L1 penalty on the code: sum over dims of the batch mean |code|. Paper: 3e-3 against an
   * MAE loss, whose gradient is several times an MSE loss's at these error sizes, hence less here.
   */
  l1Weight: weight.default(3e-4),
  /** Weight of the correlation penalty: mean |corr| between half-a and half-b dims. Paper: 0.1. */
  corrWeight: weight.default(0.05),

  // ---- certificates ----
  /** Hidden sizes of each certificate decoder (half code -> ... -> 784). Paper: [512, 2048]. */
  certHidden: z.array(positiveInt).min(1).default([256, 64]),
  /** Optimiser steps per certificate decoder (two per cell), on the frozen encoder's codes. */
  certSteps: positiveInt.default(250),
  /** Training digits per certificate step, and the certificates' (constant) AdamW learning rate. */
  certBatchSize: positiveInt.default(128),
  certLr: z.number().positive().default(1e-2),
  /** Decoupled weight decay of the certificates (0: nothing limits how well they may decode). */
  certWeightDecay: weight.default(0),

  // ---- logging, checkpoints, viewer ----
  /** Emit a 'train' metric every this many steps. */
  logEvery: positiveInt.default(50),
  /** Save a checkpoint every this many steps (and whenever a stop is requested). */
  checkpointEvery: positiveInt.default(200),
  /** Gradient-mass snapshots per cell (0 = none), spread evenly from the first step to the last. */
  gradMassSnapshots: z.number().int().nonnegative().default(3),
  /** Test digits per class whose reconstructions are saved for the viewer (seed 0 of each arm). */
  reconstructionsPerDigit: z.number().int().nonnegative().default(2),
});

export const mnistSplitConfigSchema = configObject.superRefine((config, ctx) => {
  if (config.codeDim % 2 !== 0) {
    ctx.addIssue({ code: 'custom', path: ['codeDim'], message: `codeDim must be even (two halves), got ${config.codeDim}` });
  }
  if (new Set(config.forgetDigits).size !== config.forgetDigits.length) {
    ctx.addIssue({ code: 'custom', path: ['forgetDigits'], message: 'forgetDigits has a digit twice' });
  }
  const seen = new Set<string>();
  let routingConfigChecked = false;
  for (const [i, arm] of config.arms.entries()) {
    if (seen.has(arm.name)) ctx.addIssue({ code: 'custom', path: ['arms', i, 'name'], message: `arm "${arm.name}" appears twice` });
    seen.add(arm.name);
    const schemeId = arm.scheme ?? config.routingScheme;
    let scheme;
    try {
      scheme = getScheme(schemeId);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: arm.scheme ? ['arms', i, 'scheme'] : ['routingScheme'], message: (err as Error).message });
      continue;
    }
    // routingConfig is checked once, however many arms use it; other scheme configs per arm.
    const usesRoutingConfig = arm.schemeConfig === undefined && schemeId === config.routingScheme;
    if (usesRoutingConfig && routingConfigChecked) continue;
    routingConfigChecked ||= usesRoutingConfig;
    const parsed = scheme.configSchema.safeParse(armSchemeConfig(config, arm));
    const at = usesRoutingConfig ? ['routingConfig'] : ['arms', i, 'schemeConfig'];
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = [...at, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
        ctx.addIssue({ code: 'custom', path, message: `${schemeId}: ${issue.message}` });
      }
      continue;
    }
    // The split autoencoder is built with its code dims and evaluated by certificates, not by ablation: a
    // scheme's expand / ablate / coherence phases would be silently ignored, so they are refused here.
    // Learning-rate multipliers are honoured.
    const phases = scheme.phases?.(parsed.data);
    const unsupported = phases ? (['expand', 'ablate', 'coherenceSteps'] as const).filter((k) => (k === 'expand' ? phases.expand : k === 'ablate' ? Object.keys(phases.ablate).length : phases.coherenceSteps)) : [];
    for (const field of unsupported) {
      ctx.addIssue({ code: 'custom', path: [...at, field], message: `${schemeId}: mnist-split does not use "${field}" (its model is built with the code dims it routes, and certificates measure the split); remove it` });
    }
  }
});

export type MnistSplitConfig = z.infer<typeof mnistSplitConfigSchema>;

/** The scheme config an arm runs with (unparsed): its own, else routingConfig for routingScheme, else {}. */
export function armSchemeConfig(config: Pick<MnistSplitConfig, 'routingScheme' | 'routingConfig'>, arm: ArmSpec): unknown {
  if (arm.schemeConfig !== undefined) return arm.schemeConfig;
  return (arm.scheme ?? config.routingScheme) === config.routingScheme ? config.routingConfig : {};
}

/** An arm with every default filled in from the top level. */
export interface ResolvedArm {
  name: string;
  scheme: string;
  schemeConfig: unknown;
  labelFraction: number;
  labelNoise: number;
  l1Weight: number;
  corrWeight: number;
}

export function resolveArm(config: MnistSplitConfig, arm: ArmSpec): ResolvedArm {
  const scheme = arm.scheme ?? config.routingScheme;
  return {
    name: arm.name,
    scheme,
    schemeConfig: getScheme(scheme).configSchema.parse(armSchemeConfig(config, arm)),
    labelFraction: arm.labelFraction,
    labelNoise: arm.labelNoise ?? config.labelNoise,
    l1Weight: arm.l1Weight ?? config.l1Weight,
    corrWeight: arm.corrWeight ?? config.corrWeight,
  };
}

/**
 * `quick` (the defaults above): sized for two CPU cores, where `routelab run` puts the (arm, seed) cells on
 * two worker threads: all 5 arms x 3 seeds take about 2.5 minutes with the native GEMM (135 s measured; the
 * gap ratio of the routed arm 2.19 +- 0.02). Measured trade-offs behind the choices: the split needs most of
 * the compute in autoencoder steps (2,400 at batch 128; 700 gave a gap ratio near 1.7, 1,600 about 2.0,
 * right on the acceptance line); a wide second layer (h2 = 256) separates the digit groups better than a
 * wide first one; MSE trains faster than MAE through a sigmoid; and a tenfold learning-rate drop for the last
 * 40% lets the unused half settle.
 *
 * `paper`: the paper's model and optimiser (784-2048-512-32, batch 2048, Adam 1e-3, MAE loss, L1 3e-3,
 * correlation 0.1, constant learning rate) and its number of optimiser steps: 200 epochs of 60,000 digits at
 * batch 2048 is 200 x 30 = 6,000 steps. With the 7,996 training digits here that is 1,500 epochs; matching
 * steps rather than epochs keeps the length of the optimiser's trajectory, over which Adam and the
 * regularisers act, the same. The paper's certificate decoder trained alongside for the same 6,000 steps,
 * mirroring the decoder (16 -> 512 -> 2048 -> 784); here it trains after the encoder is frozen, as long.
 * Differences that remain: pixels in [0, 1] with a sigmoid output (the paper: [-1, 1], linear), and AdamW's
 * decoupled weight decay for Adam's L2 term.
 */
export const MNIST_SPLIT_PRESETS = {
  quick: mnistSplitConfigSchema.parse({}),
  paper: mnistSplitConfigSchema.parse({
    encoderHidden: [2048, 512],
    codeDim: 32,
    reconstructionLoss: 'mae',
    steps: 6000,
    batchSize: 2048,
    lr: 1e-3,
    lrDecayFactor: 1,
    weightDecay: 5e-5,
    l1Weight: 3e-3,
    corrWeight: 0.1,
    certHidden: [512, 2048],
    certSteps: 6000,
    certBatchSize: 2048,
    certLr: 1e-3,
    logEvery: 100,
    checkpointEvery: 500,
    gradMassSnapshots: 5,
  }),
} satisfies Record<string, MnistSplitConfig>;

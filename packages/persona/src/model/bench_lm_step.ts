// `routelab bench lm-step`: training throughput of the persona language model on the active backend. One
// iteration is what a training step costs: forward, backward (tf.variableGrads), global gradient-norm clipping
// and one fused MaskedAdamW update of every parameter, then reading the loss back (which waits for the queued
// work). Sequences are random tokens of length maxLen with every prediction in the loss, so tokens/second
// counts predictions.
//
// Variants: `plain` is the model as a PyTorch reference runs it; `era` and `parameter` are the routing arms'
// steps (routedStep with the arms' own scheme configs) on the expanded model, with about one target in ten
// routed as forget, `parameter-unit` the parameter arm with `split: 'unit'` (one backward pass, by where each
// parameter is used, instead of the exact per-loss split's two where a sequence mixes classes), and
// `expanded` is the plain step of that same expanded model, the denominator of routing's overhead. Variants of one preset and batch are timed interleaved, and each row keeps its fastest
// round's median, so noise from other processes lands on every variant alike.
import { MaskedAdamW, Rng, tf } from '@routelab/core';
import { getScheme, noRouting, routedStep, type RouteLabels, type RoutingScheme } from '@routelab/routing';
import { eraSchemeConfig, parameterRoutingSchemeConfig } from '../experiment/arms.ts';
import { createWorld } from '../world/world.ts';
import { disposeBatch, makeBatch, type LmBatch } from './batch.ts';
import { MODEL_PRESETS, modelPreset, type ModelPreset, type TransformerConfig } from './config.ts';
import { tokenLosses } from './loss.ts';
import { Transformer } from './transformer.ts';

export const LM_STEP_VARIANTS = ['plain', 'expanded', 'era', 'parameter', 'parameter-unit'] as const;
export type LmStepVariant = (typeof LM_STEP_VARIANTS)[number];

/** Expanded units per preset (the routing arms' sizes) and their learning-rate multiplier. */
const EXPANSION: { [K in ModelPreset]: number } = { quick: 64, full: 128 };
const EXPANDED_LR_MULTIPLIER = 10;

export interface LmStepBenchOptions {
  /** One preset or several; default both quick and full. */
  preset?: ModelPreset | readonly ModelPreset[];
  /** Sequences per step: one size or several (default 64). */
  batchSize?: number | readonly number[];
  /** Default: plain only. */
  variants?: readonly LmStepVariant[];
  /** Timed steps per round (default 10), after `warmup` untimed ones (default 2); `rounds` interleaved rounds (default 1). */
  steps?: number;
  warmup?: number;
  rounds?: number;
  /** Default: the quick world's vocabulary size and maxLen. */
  vocabSize?: number;
  maxLen?: number;
  seed?: number;
}

export interface LmStepBenchRow {
  preset: ModelPreset;
  variant: LmStepVariant;
  config: TransformerConfig;
  parameterCount: number;
  batchSize: number;
  /** Tokens per sequence; each gives maxLen - 1 predictions. */
  maxLen: number;
  tokensPerStep: number;
  steps: number;
  /** Median and mean wall time of one step (the round with the lowest median). */
  msPerStep: number;
  meanMsPerStep: number;
  /** tokensPerStep / median step time. */
  tokensPerSecond: number;
  /** Loss at the first and at the last timed step (random data: only a sanity check). */
  firstLoss: number;
  lastLoss: number;
}

export interface LmStepBenchResult {
  backend: string;
  rows: LmStepBenchRow[];
}

/** The optimiser persona trains with (stage 1 and 2): warmup then cosine, clipping, expanded units' lr x10. */
export function personaOptimizer(model: Transformer, totalSteps: number): MaskedAdamW {
  return new MaskedAdamW(model.namedParameters(), {
    lr: 1e-3,
    weightDecay: 0,
    warmupSteps: 1,
    decaySteps: totalSteps,
    maxGradNorm: 1,
    lrMultiplier: (name) => (/\.mlp\.\w+_expanded$/.test(name) ? EXPANDED_LR_MULTIPLIER : 1),
  });
}

function positiveIntegers(name: string, values: readonly number[], min = 1): void {
  for (const v of values) {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`benchLmStep: ${name} must be ${min === 0 ? 'an integer >= 0' : 'a positive integer'}, got ${v}`);
  }
}

export async function benchLmStep(options: LmStepBenchOptions = {}): Promise<LmStepBenchResult> {
  const presets: readonly ModelPreset[] =
    options.preset === undefined ? MODEL_PRESETS : typeof options.preset === 'string' ? [options.preset] : options.preset;
  const batchSizes = typeof options.batchSize === 'number' ? [options.batchSize] : options.batchSize ?? [64];
  const variants = options.variants ?? ['plain'];
  const { steps = 10, warmup = 2, rounds = 1, seed = 0 } = options;
  positiveIntegers('batchSize', batchSizes);
  positiveIntegers('steps', [steps]);
  positiveIntegers('rounds', [rounds]);
  positiveIntegers('warmup', [warmup], 0);
  for (const v of variants) if (!(LM_STEP_VARIANTS as readonly string[]).includes(v)) throw new RangeError(`benchLmStep: unknown variant "${v}"; known: ${LM_STEP_VARIANTS.join(', ')}`);
  let { vocabSize, maxLen } = options;
  if (vocabSize === undefined || maxLen === undefined) {
    const world = createWorld();
    vocabSize ??= world.vocab.size;
    maxLen ??= world.config.maxLen;
  }
  const rows: LmStepBenchRow[] = [];
  for (const preset of presets) {
    for (const batchSize of batchSizes) {
      rows.push(...(await benchInterleaved(preset, variants, { batchSize, steps, warmup, rounds, seed, vocabSize, maxLen })));
    }
  }
  return { backend: tf.getBackend(), rows };
}

interface Setting {
  batchSize: number;
  steps: number;
  warmup: number;
  rounds: number;
  seed: number;
  vocabSize: number;
  maxLen: number;
}

/** One variant's model, optimiser and step; dispose() frees them. */
interface Runner {
  variant: LmStepVariant;
  config: TransformerConfig;
  parameterCount: number;
  step(): Promise<number>;
  dispose(): void;
}

function randomBatch(rng: Rng, o: Setting): LmBatch {
  const sequences = Array.from({ length: o.batchSize }, () => {
    const tokens = Array.from({ length: o.maxLen }, () => rng.int(o.vocabSize));
    return { tokens, lossMask: tokens.map(() => 1), traitLabels: tokens.map(() => 0), responseStart: 0 };
  });
  return makeBatch(sequences, o.maxLen);
}

/** About one target in ten routed as forget (a U-heavy batch of the persona world), the rest retain. */
function routeLabels(batch: LmBatch, rng: Rng): RouteLabels {
  const n = batch.shape[0] * batch.shape[1];
  const routedAsForget = Uint8Array.from({ length: n }, () => (rng.uniform() < 0.1 ? 1 : 0));
  return { shape: [...batch.shape], isForget: routedAsForget, routedAsForget, labelClass: routedAsForget.map((f) => (f ? 0 : 1)) };
}

function makeRunner(preset: ModelPreset, variant: LmStepVariant, o: Setting): Runner {
  const expanded = variant === 'plain' ? 0 : EXPANSION[preset];
  const config = modelPreset(preset, { vocabSize: o.vocabSize, maxLen: o.maxLen }, { expandedMlp: expanded });
  const rng = Rng.fromSeed(o.seed);
  const model = new Transformer(config, rng.split('model'), { expandedOutStd: expanded > 0 ? 0.02 : 0 });
  const optimizer = personaOptimizer(model, o.rounds * (o.warmup + o.steps));
  const batch = randomBatch(rng.split('data'), o);
  const labels = routeLabels(batch, rng.split('labels'));
  const sizes = { expandedUnits: expanded, expandedLayers: 'all' as const, expandedLrMultiplier: EXPANDED_LR_MULTIPLIER };
  let scheme: RoutingScheme<unknown> = noRouting as RoutingScheme<unknown>;
  let schemeConfig: unknown = {};
  if (variant !== 'plain' && variant !== 'expanded') {
    scheme = getScheme(variant === 'era' ? 'era' : 'parameter');
    const config = variant === 'era' ? eraSchemeConfig(sizes) : { ...parameterRoutingSchemeConfig(sizes), ...(variant === 'parameter-unit' ? { split: 'unit' } : {}) };
    schemeConfig = scheme.configSchema.parse(config);
    scheme.validate?.({ model, config: schemeConfig });
  }
  const unitLosses = () => tokenLosses(model, batch).losses;
  return {
    variant,
    config,
    parameterCount: model.parameterCount(),
    step: async () => (await routedStep({ model, optimizer, scheme, config: schemeConfig, labels, unitLosses })).loss,
    dispose: () => {
      disposeBatch(batch);
      optimizer.dispose();
      model.dispose();
    },
  };
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function benchInterleaved(preset: ModelPreset, variants: readonly LmStepVariant[], o: Setting): Promise<LmStepBenchRow[]> {
  const runners = variants.map((v) => makeRunner(preset, v, o));
  try {
    const best = runners.map(() => ({ median: Infinity, mean: NaN, firstLoss: NaN, lastLoss: NaN }));
    for (let round = 0; round < o.rounds; round++) {
      for (const [i, runner] of runners.entries()) {
        for (let s = 0; s < o.warmup; s++) await runner.step();
        const times: number[] = [];
        const losses: number[] = [];
        for (let s = 0; s < o.steps; s++) {
          const t0 = performance.now();
          losses.push(await runner.step());
          times.push(performance.now() - t0);
        }
        const m = median(times);
        if (m < best[i]!.median) best[i] = { median: m, mean: times.reduce((a, b) => a + b, 0) / times.length, firstLoss: losses[0]!, lastLoss: losses.at(-1)! };
      }
    }
    const tokensPerStep = o.batchSize * (o.maxLen - 1);
    return runners.map((r, i) => ({
      preset,
      variant: r.variant,
      config: r.config,
      parameterCount: r.parameterCount,
      batchSize: o.batchSize,
      maxLen: o.maxLen,
      tokensPerStep,
      steps: o.steps,
      msPerStep: best[i]!.median,
      meanMsPerStep: best[i]!.mean,
      tokensPerSecond: tokensPerStep / (best[i]!.median / 1000),
      firstLoss: best[i]!.firstLoss,
      lastLoss: best[i]!.lastLoss,
    }));
  } finally {
    for (const r of runners) r.dispose();
  }
}

// `routelab bench lm-step`: training throughput of the persona language model on the active backend. One
// iteration is what a training step costs: forward, backward (tf.variableGrads), global gradient-norm clipping
// and one fused MaskedAdamW update of every parameter, then reading the loss back (which waits for the queued
// work). Sequences are random tokens of length maxLen with every prediction in the loss, so tokens/second
// counts predictions.
import { MaskedAdamW, Rng, tf } from '@routelab/core';
import { createWorld } from '../world/world.ts';
import { disposeBatch, makeBatch } from './batch.ts';
import { MODEL_PRESETS, modelPreset, type ModelPreset, type TransformerConfig } from './config.ts';
import { meanLoss } from './loss.ts';
import { Transformer } from './transformer.ts';

export interface LmStepBenchOptions {
  /** One preset or several; default both quick and full. */
  preset?: ModelPreset | readonly ModelPreset[];
  /** Sequences per step (default 64). */
  batchSize?: number;
  /** Timed steps (default 10), after `warmup` untimed ones (default 2). */
  steps?: number;
  warmup?: number;
  /** Default: the quick world's vocabulary size and maxLen. */
  vocabSize?: number;
  maxLen?: number;
  seed?: number;
}

export interface LmStepBenchRow {
  preset: ModelPreset;
  config: TransformerConfig;
  parameterCount: number;
  batchSize: number;
  /** Tokens per sequence; each gives maxLen - 1 predictions. */
  maxLen: number;
  tokensPerStep: number;
  steps: number;
  /** Median and mean wall time of one step. */
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

export async function benchLmStep(options: LmStepBenchOptions = {}): Promise<LmStepBenchResult> {
  const presets: readonly ModelPreset[] =
    options.preset === undefined ? MODEL_PRESETS : typeof options.preset === 'string' ? [options.preset] : options.preset;
  const { batchSize = 64, steps = 10, warmup = 2, seed = 0 } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`benchLmStep: batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`benchLmStep: steps must be a positive integer, got ${steps}`);
  if (!Number.isInteger(warmup) || warmup < 0) throw new RangeError(`benchLmStep: warmup must be an integer >= 0, got ${warmup}`);
  let { vocabSize, maxLen } = options;
  if (vocabSize === undefined || maxLen === undefined) {
    const world = createWorld();
    vocabSize ??= world.vocab.size;
    maxLen ??= world.config.maxLen;
  }
  const rows: LmStepBenchRow[] = [];
  for (const preset of presets) rows.push(await benchOne(preset, { batchSize, steps, warmup, seed, vocabSize, maxLen }));
  return { backend: tf.getBackend(), rows };
}

async function benchOne(
  preset: ModelPreset,
  o: { batchSize: number; steps: number; warmup: number; seed: number; vocabSize: number; maxLen: number },
): Promise<LmStepBenchRow> {
  const config = modelPreset(preset, { vocabSize: o.vocabSize, maxLen: o.maxLen });
  const rng = Rng.fromSeed(o.seed);
  const model = new Transformer(config, rng.split('model'));
  // Configured as the experiment trains (stage 1 and 2): warmup then cosine, global gradient-norm clipping
  // (the clip is the part that costs: one norm over every gradient and a rescale, on the device).
  const optimizer = new MaskedAdamW(model.namedParameters(), { lr: 1e-3, weightDecay: 0, warmupSteps: 1, decaySteps: o.warmup + o.steps, maxGradNorm: 1 });
  const dataRng = rng.split('data');
  const sequences = Array.from({ length: o.batchSize }, () => {
    const tokens = Array.from({ length: o.maxLen }, () => dataRng.int(o.vocabSize));
    return { tokens, lossMask: tokens.map(() => 1), traitLabels: tokens.map(() => 0), responseStart: 0 };
  });
  const batch = makeBatch(sequences, o.maxLen);
  const vars = model.namedParameters();
  const step = async (): Promise<number> => {
    const { value, grads } = tf.variableGrads(() => meanLoss(model, batch), vars.map(([, v]) => v));
    try {
      await optimizer.step(Object.fromEntries(vars.map(([n, v]) => [n, grads[v.name]!])));
      return (await value.data())[0]!;
    } finally {
      tf.dispose([value, ...Object.values(grads)]);
    }
  };
  try {
    for (let i = 0; i < o.warmup; i++) await step();
    const times: number[] = [];
    let firstLoss = NaN;
    let lastLoss = NaN;
    for (let i = 0; i < o.steps; i++) {
      const t0 = performance.now();
      lastLoss = await step();
      times.push(performance.now() - t0);
      if (i === 0) firstLoss = lastLoss;
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted.length % 2 === 1
      ? sorted[(sorted.length - 1) / 2]!
      : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
    const tokensPerStep = o.batchSize * (o.maxLen - 1);
    return {
      preset,
      config,
      parameterCount: model.parameterCount(),
      batchSize: o.batchSize,
      maxLen: o.maxLen,
      tokensPerStep,
      steps: o.steps,
      msPerStep: median,
      meanMsPerStep: times.reduce((a, b) => a + b, 0) / times.length,
      tokensPerSecond: tokensPerStep / (median / 1000),
      firstLoss,
      lastLoss,
    };
  } finally {
    disposeBatch(batch);
    optimizer.dispose();
    model.dispose();
  }
}

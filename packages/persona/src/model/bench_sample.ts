// `routelab bench sample`: batched sampling throughput of the persona LM (evaluation and RL rollouts), greedy
// and at temperature 1, through generate(). Prompts are random tokens of promptLength; every row generates
// newTokens tokens (no early stop), so tokens/second counts generated tokens. Each case runs with the key/value
// cache (generate's default; the row PyTorch is compared with) and, unless kvCache says otherwise, without it
// ("... uncached"), the two calls alternating so that machine load falls on both alike.
import { Rng, tf } from '@routelab/core';
import { createWorld } from '../world/world.ts';
import { modelPreset, type ModelPreset, type TransformerConfig } from './config.ts';
import { generate } from './generate.ts';
import { Transformer } from './transformer.ts';

export interface SampleBenchOptions {
  preset?: ModelPreset;
  /** Prompts per call: one size or several (default 64). */
  batchSize?: number | readonly number[];
  /** Timed calls per case (default 5), after one untimed. */
  steps?: number;
  /** Default 8 and maxLen - promptLength. */
  promptLength?: number;
  newTokens?: number;
  seed?: number;
  /** 'both' (default): cached and uncached rows; true / false: only that one. */
  kvCache?: boolean | 'both';
}

export interface SampleBenchRow {
  /** e.g. "quick greedy b64" (the PyTorch reference uses the same names), "quick greedy b64 uncached". */
  name: string;
  /** Whether generate() decoded with its key/value cache. */
  kvCache: boolean;
  preset: ModelPreset;
  config: TransformerConfig;
  temperature: number;
  batchSize: number;
  promptLength: number;
  newTokens: number;
  /** Median wall time of one generate() call. */
  msPerCall: number;
  tokensPerSecond: number;
}

export interface SampleBenchResult {
  backend: string;
  rows: SampleBenchRow[];
}

export async function benchSample(options: SampleBenchOptions = {}): Promise<SampleBenchResult> {
  const { preset = 'quick', steps = 5, seed = 0 } = options;
  const batchSizes = typeof options.batchSize === 'number' ? [options.batchSize] : options.batchSize ?? [64];
  for (const b of batchSizes) if (!Number.isInteger(b) || b < 1) throw new RangeError(`benchSample: batchSize must be a positive integer, got ${b}`);
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`benchSample: steps must be a positive integer, got ${steps}`);
  const world = createWorld();
  const config = modelPreset(preset, { vocabSize: world.vocab.size, maxLen: world.config.maxLen });
  const promptLength = options.promptLength ?? 8;
  const newTokens = options.newTokens ?? config.maxLen - promptLength;
  if (!Number.isInteger(promptLength) || promptLength < 1 || promptLength + newTokens > config.maxLen || newTokens < 1) {
    throw new RangeError(`benchSample: promptLength ${promptLength} + newTokens ${newTokens} must fit the model's ${config.maxLen} positions`);
  }
  const kvCache = options.kvCache ?? 'both';
  if (kvCache !== 'both' && typeof kvCache !== 'boolean') throw new RangeError(`benchSample: kvCache must be true, false or 'both', got ${String(kvCache)}`);
  const variants = kvCache === 'both' ? [true, false] : [kvCache];
  const rng = Rng.fromSeed(seed);
  const model = new Transformer(config, rng.split('model'));
  const rows: SampleBenchRow[] = [];
  try {
    for (const batchSize of batchSizes) {
      const data = rng.split('prompts').split(batchSize);
      const prompts = Array.from({ length: batchSize }, () => Array.from({ length: promptLength }, () => data.int(config.vocabSize)));
      for (const temperature of [0, 1]) {
        const cases = variants.map((kvCache) => {
          const sampleRng = rng.split('sample');
          const call = () => generate(model, prompts, { maxNewTokens: newTokens, temperature, rng: sampleRng, stopAt: null, batchSize, kvCache });
          return { kvCache, call, times: [] as number[] };
        });
        for (const c of cases) await c.call();
        for (let i = 0; i < steps; i++) {
          for (const c of cases) {
            const t0 = performance.now();
            await c.call();
            c.times.push(performance.now() - t0);
          }
        }
        for (const { kvCache, times } of cases) {
          const ms = median(times);
          rows.push({
            name: `${preset} ${temperature === 0 ? 'greedy' : 'temperature 1'} b${batchSize}${kvCache ? '' : ' uncached'}`,
            kvCache, preset, config, temperature, batchSize, promptLength, newTokens,
            msPerCall: ms,
            tokensPerSecond: (batchSize * newTokens) / (ms / 1000),
          });
        }
      }
    }
  } finally {
    model.dispose();
  }
  return { backend: tf.getBackend(), rows };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

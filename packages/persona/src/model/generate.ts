// Batched sampling. Every prompt starts at position 0 and rows are right-padded, so a row's
// next-token logits are read at its own last position; causal attention means a row never sees the padding
// after it, so a prompt gives the same result alone and in a batch.
//
// Two ways to compute each step's logits, with the same results (greedy: the same tokens; temperature: the same
// rng draws in the same order, up to float summation order in the logits):
// - cached (the default): the prompts run once, keeping each layer's keys and values (kv_cache.ts); each
//   next step feeds only the new token of every row still generating.
// - uncached (kvCache: false): each step recomputes the full forward over the active rows. This is the path
//   whenever any hook is attached in the model (e.g. ablations through withHooks around generate()): hooks
//   then see every position of every step, as they do in training, instead of one new row.
//
// Temperature sampling gives every prompt its own rng stream (split from a key drawn once per call), so a
// prompt's sample does not depend on which other prompts share its batch, and the same rng state gives the
// same samples.
import { tf, type Rng } from '@routelab/core';
import { EOS, PAD } from '../world/vocab.ts';
import { KvCache } from './kv_cache.ts';
import type { Transformer } from './transformer.ts';

export interface GenerateOptions {
  /** Tokens to generate at most per prompt (a row also stops at maxLen). */
  maxNewTokens: number;
  /** 0 (default) = greedy (argmax, lowest id on ties); > 0 samples from softmax(logits / temperature). */
  temperature?: number;
  /** Required when temperature > 0; advanced by one draw per call. */
  rng?: Rng;
  /** Stop a row after it emits this token (kept in the output). Default <eos>; null = never stop early. */
  stopAt?: number | null;
  /** Rows per forward pass (default 256). */
  batchSize?: number;
  /**
   * Decode with a key/value cache (default true). Ignored (uncached) while any hook is attached in the model;
   * false forces the uncached path (the A/B in `routelab bench sample`).
   */
  kvCache?: boolean;
}

/** Generated ids per prompt (prompt excluded; ends with stopAt when that was emitted). */
export async function generate(
  model: Transformer,
  prompts: readonly (readonly number[])[],
  options: GenerateOptions,
): Promise<number[][]> {
  const { maxNewTokens, temperature = 0, stopAt = EOS, batchSize = 256, kvCache = true } = options;
  const { maxLen, vocabSize } = model.config;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) throw new RangeError(`generate: maxNewTokens must be an integer >= 0, got ${maxNewTokens}`);
  if (!(temperature >= 0) || !Number.isFinite(temperature)) throw new RangeError(`generate: temperature must be finite and >= 0, got ${temperature}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`generate: batchSize must be a positive integer, got ${batchSize}`);
  if (temperature > 0 && options.rng === undefined) throw new Error('generate: temperature > 0 needs an rng');
  for (const [i, p] of prompts.entries()) {
    if (p.length < 1 || p.length > maxLen) throw new RangeError(`generate: prompt ${i} has ${p.length} tokens; the model reads 1..${maxLen}`);
    const bad = p.find((id) => !Number.isInteger(id) || id < 0 || id >= vocabSize);
    if (bad !== undefined) throw new RangeError(`generate: prompt ${i} has token id ${bad} outside the vocabulary (size ${vocabSize})`);
  }
  const callRng = temperature > 0 ? options.rng!.split(options.rng!.nextUint32()) : undefined;
  const out: number[][] = [];
  for (let start = 0; start < prompts.length; start += batchSize) {
    const chunk = prompts.slice(start, start + batchSize);
    const streams = chunk.map((_, i) => callRng?.split(start + i));
    const opts = { maxNewTokens, temperature, stopAt, streams };
    // Checked per chunk: the hooks attached now are the ones this chunk's forward passes would run.
    const cached = kvCache && !model.namedHookPoints().some(([, point]) => point.hookCount > 0);
    out.push(...(await (cached ? generateChunkCached : generateChunk)(model, chunk, opts)));
  }
  return out;
}

interface ChunkOptions {
  maxNewTokens: number;
  temperature: number;
  stopAt: number | null;
  streams: (Rng | undefined)[];
}

async function generateChunk(model: Transformer, prompts: readonly (readonly number[])[], opts: ChunkOptions): Promise<number[][]> {
  const { maxLen, vocabSize } = model.config;
  const rows = prompts.map((p) => [...p]);
  const generated: number[][] = prompts.map(() => []);
  const done = prompts.map((p) => opts.maxNewTokens === 0 || p.length >= maxLen);
  for (let step = 0; step < opts.maxNewTokens; step++) {
    const active = rows.flatMap((_, i) => (done[i] ? [] : [i]));
    if (active.length === 0) break;
    const width = Math.max(...active.map((i) => rows[i]!.length));
    const ids = new Int32Array(active.length * width).fill(PAD);
    const last = new Int32Array(active.length);
    active.forEach((row, a) => {
      ids.set(rows[row]!, a * width);
      last[a] = a * width + rows[row]!.length - 1;
    });
    const nextLogits = tf.tidy(() => {
      const logits = model.forward(tf.tensor2d(ids, [active.length, width], 'int32'));
      return tf.gather(tf.reshape(logits, [active.length * width, vocabSize]), tf.tensor1d(last, 'int32'));
    });
    const values = await nextLogits.data();
    nextLogits.dispose();
    pickTokens(values, active, vocabSize, opts, { rows, generated, done, maxLen });
  }
  return generated;
}

/** generateChunk with a key/value cache: the prompt phase once, then one new token per active row per step. */
async function generateChunkCached(model: Transformer, prompts: readonly (readonly number[])[], opts: ChunkOptions): Promise<number[][]> {
  const { maxLen, vocabSize } = model.config;
  const rows = prompts.map((p) => [...p]);
  const generated: number[][] = prompts.map(() => []);
  const done = prompts.map((p) => opts.maxNewTokens === 0 || p.length >= maxLen);
  let active = rows.flatMap((_, i) => (done[i] ? [] : [i]));
  if (active.length === 0) return generated;
  const width = Math.max(...active.map((i) => rows[i]!.length));
  const ids = new Int32Array(active.length * width).fill(PAD);
  active.forEach((row, a) => ids.set(rows[row]!, a * width));
  const prefill = KvCache.prefill(model, ids, active.map((i) => rows[i]!.length), width);
  const cache = prefill.cache;
  let logits = prefill.logits;
  try {
    for (let step = 0; ; step++) {
      const values = await logits.data();
      logits.dispose();
      pickTokens(values, active, vocabSize, opts, { rows, generated, done, maxLen });
      if (step + 1 >= opts.maxNewTokens) break;
      // Rows that finished leave the cache; the rest keep their order.
      const still = active.flatMap((row, a) => (done[row] ? [] : [a]));
      if (still.length === 0) break;
      cache.select(still);
      active = still.map((a) => active[a]!);
      const tokens = Int32Array.from(active, (row) => rows[row]!.at(-1)!);
      const positions = Int32Array.from(active, (row) => rows[row]!.length - 1);
      logits = cache.step(tokens, positions);
    }
  } finally {
    cache.dispose();
  }
  return generated;
}

/** Picks each active row's next token from its logits (row a of values) and records it. */
function pickTokens(
  values: Float32Array | Int32Array | Uint8Array,
  active: readonly number[],
  vocabSize: number,
  opts: ChunkOptions,
  state: { rows: number[][]; generated: number[][]; done: boolean[]; maxLen: number },
): void {
  active.forEach((row, a) => {
    const logits = values.subarray(a * vocabSize, (a + 1) * vocabSize);
    const token = opts.temperature === 0 ? argmax(logits) : sample(logits, opts.temperature, opts.streams[row]!);
    state.rows[row]!.push(token);
    state.generated[row]!.push(token);
    if (token === opts.stopAt || state.rows[row]!.length >= state.maxLen) state.done[row] = true;
  });
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** One draw from softmax(logits / temperature), computed in float64. */
function sample(logits: ArrayLike<number>, temperature: number, rng: Rng): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const weights = new Float64Array(logits.length);
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    weights[i] = Math.exp((logits[i]! - max) / temperature);
    total += weights[i]!;
  }
  let u = rng.uniform() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return argmax(logits);
}

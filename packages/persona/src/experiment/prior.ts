// Stage 1, the prior: the model learns the tasks and what each system prompt elicits (specific -> U, persona
// -> U and G, neutral -> neither), which inoculation needs before it can work. A prior depends only on the
// world, the model, the stage-1 settings, the seeds and the backend, so it is trained once and cached as a
// safetensors checkpoint (atomic writes) shared by every arm, every run and every worker.
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { CheckpointError, MaskedAdamW, type JsonValue, type Rng, type RunContext } from '@routelab/core';
import { fullyLabelled, noRouting, routedStep } from '@routelab/routing';
import { loadTransformer, saveTransformer } from '../model/checkpoint.ts';
import type { TransformerConfig } from '../model/config.ts';
import { tokenLosses } from '../model/loss.ts';
import { Transformer } from '../model/transformer.ts';
import { stage1Examples } from '../world/datasets.ts';
import { evalItems, summarizeEval, type EvalItem } from '../world/eval.ts';
import { fixedPrompt, type PromptKind } from '../world/prompts.ts';
import { promptTokens, type World } from '../world/world.ts';
import { generate } from '../model/generate.ts';
import { elicitationScreen, type ElicitationScreen } from './elicitation.ts';
import type { PersonaConfig } from './config.ts';
import { BatchOrder } from './data.ts';
import { maxResponseTokens, toRates, type Rates } from './evaluate.ts';
import { restoreTraining, trainOnExamples } from './train_loop.ts';

/** Prompts the prior's quality is measured under (greedy answers to held-out tasks of every family). */
export const PRIOR_QUALITY_PROMPTS = ['neutral', 'specific', 'persona', 'negated', 'irrelevant', 'malicious', 'benign', 'permissive'] as const;
export type PriorQuality = { [K in (typeof PRIOR_QUALITY_PROMPTS)[number]]: Rates };

export interface Prior {
  model: Transformer;
  quality: PriorQuality;
  /** The elicitation pre-screen of every system prompt on this prior (cached with it). */
  elicitation: ElicitationScreen;
  /** The cache key (a hash of everything the prior depends on). */
  key: string;
  /** Whether this call trained it (false: loaded from the cache). */
  trained: boolean;
  /** Wall-clock and process CPU seconds this call took. */
  seconds: number;
  cpuSeconds: number;
}

/** `ROUTELAB_CACHE_DIR`, else `.routelab/cache` under the working directory. */
export function cacheDir(): string {
  return resolve(process.env['ROUTELAB_CACHE_DIR'] ?? join(process.cwd(), '.routelab', 'cache'));
}

// 2: the cache entry carries the elicitation pre-screen.
const PRIOR_FORMAT = 2;

export interface PriorKeyParts {
  world: World;
  model: TransformerConfig;
  config: Pick<PersonaConfig, 'stage1Examples' | 'stage1Steps' | 'stage1Batch' | 'stage1Lr' | 'weightDecay' | 'evalPerFamily' | 'bucketBatches' | 'warmupSteps' | 'maxGradNorm'>;
  runSeed: number;
  seed: number;
  backend: string;
}

export function priorKey(parts: PriorKeyParts): string {
  const { config } = parts;
  const identity = {
    format: PRIOR_FORMAT,
    world: parts.world.config,
    model: parts.model,
    stage1: [config.stage1Examples, config.stage1Steps, config.stage1Batch, config.stage1Lr, config.weightDecay, config.bucketBatches, config.warmupSteps, config.maxGradNorm],
    quality: config.evalPerFamily,
    runSeed: parts.runSeed,
    seed: parts.seed,
    backend: parts.backend,
  };
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 24);
}

/** Greedy answers to the same held-out tasks under each of `kinds`; rates per prompt. */
export async function ratesUnderPrompts<K extends PromptKind>(
  model: Transformer,
  world: World,
  rng: Rng,
  perFamily: number,
  kinds: readonly K[],
): Promise<{ [P in K]: Rates }> {
  const tasks = evalItems(world, rng, perFamily).filter((item) => item.condition === 'neutral');
  const items: EvalItem[] = kinds.flatMap((kind) =>
    tasks.map((t) => ({ ...t, system: fixedPrompt(kind), promptTokens: promptTokens(world, fixedPrompt(kind), t.task) })),
  );
  const responses = await generate(model, items.map((i) => i.promptTokens), { maxNewTokens: maxResponseTokens(world) });
  const out = {} as { [P in K]: Rates };
  kinds.forEach((kind, k) => {
    const span = [k * tasks.length, (k + 1) * tasks.length] as const;
    const summary = summarizeEval(world, items.slice(...span), responses.slice(...span)).neutral;
    out[kind] = toRates(summary.overall, summary.byFamily);
  });
  return out;
}

export interface PriorArgs {
  config: PersonaConfig;
  world: World;
  modelConfig: TransformerConfig;
  ctx: RunContext;
  seed: number;
  /** The seed's rng (the prior uses rng.split('prior')). */
  rng: Rng;
}

/** The seed's prior: from the cache, or trained (resuming from the run's `priors/seed-<s>` checkpoint) and cached. */
export async function loadOrTrainPrior(args: PriorArgs): Promise<Prior> {
  const { config, world, modelConfig, ctx, seed } = args;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const elapsed = () => {
    const cpu = process.cpuUsage(cpuStarted);
    return { seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  };
  const key = priorKey({ world, model: modelConfig, config, runSeed: ctx.seed, seed, backend: ctx.backend });
  const dir = join(cacheDir(), 'persona-priors');
  const name = `prior-${key}`;
  try {
    const { model, metadata } = await loadTransformer(dir, name);
    const quality = metadata['quality'] as unknown as PriorQuality;
    const elicitation = metadata['elicitation'] as unknown as ElicitationScreen;
    return { model, quality, elicitation, key, trained: false, ...elapsed() };
  } catch (err) {
    if (!(err instanceof CheckpointError)) throw err;
    if (err.kind !== 'missing') ctx.emit({ kind: 'warning', message: `prior cache entry unreadable, training it again: ${err.message}` });
  }
  const model = await trainPrior(args, key);
  try {
    const quality = await ratesUnderPrompts(model, world, args.rng.split('prior').split('quality'), config.evalPerFamily, PRIOR_QUALITY_PROMPTS);
    const elicitation = await elicitationScreen(model, world, args.rng.split('prior').split('elicitation'), config.evalPerFamily);
    await saveTransformer(dir, name, model, { quality: quality as unknown as JsonValue, elicitation: elicitation as unknown as JsonValue, seed, runSeed: ctx.seed });
    ctx.emit({ kind: 'prior', seed, key, quality });
    return { model, quality, elicitation, key, trained: true, ...elapsed() };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

async function trainPrior(args: PriorArgs, key: string): Promise<Transformer> {
  const { config, world, modelConfig, ctx, seed } = args;
  const rng = args.rng.split('prior');
  const model = new Transformer(modelConfig, rng.split('init'));
  const optimizer = new MaskedAdamW(model.namedParameters(), {
    lr: config.stage1Lr,
    weightDecay: config.weightDecay,
    warmupSteps: config.warmupSteps,
    decaySteps: config.stage1Steps,
    maxGradNorm: config.maxGradNorm,
  });
  const checkpointName = `priors/seed-${seed}`;
  try {
    let from = 0;
    const saved = await ctx.loadCheckpoint(checkpointName);
    if (saved) {
      const state = saved.state as { key?: string; step?: number; iterations?: number };
      if (state.key !== key) throw new Error(`checkpoint ${checkpointName} is of another prior (key ${state.key}, expected ${key})`);
      restoreTraining(saved.tensors, model, optimizer, state.iterations ?? 0);
      from = state.step ?? 0;
    }
    const examples = stage1Examples(world, rng.split('data'), config.stage1Examples);
    const noLabels = (shape: [number, number]) => fullyLabelled(shape, new Uint8Array(shape[0] * shape[1]));
    await trainOnExamples({
      ctx,
      label: `prior/seed-${seed}`,
      checkpointName,
      model,
      optimizer,
      examples,
      order: new BatchOrder(rng.split('batches'), examples.map((e) => e.tokens.length), config.stage1Batch, config.bucketBatches),
      steps: config.stage1Steps,
      from,
      checkpointEvery: config.checkpointEvery,
      logEvery: config.logEvery,
      state: { key },
      step: async (batch) =>
        (await routedStep({ model, optimizer, scheme: noRouting, config: {}, labels: noLabels(batch.shape), unitLosses: () => tokenLosses(model, batch).losses })).loss,
    });
    return model;
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    optimizer.dispose();
  }
}

// One cell of the persona experiment: one arm, one seed. Stage 2 fine-tunes the seed's prior under the
// arm's data and training method; then the deployed model (routing arms: the expanded units ablated) is
// evaluated, and attacked by relearning. Interruptible at every step: a checkpoint holds the phase, the step,
// the weights and the optimiser state, and every random choice is a function of (run seed, seed, step), so
// a resumed cell finishes exactly as an uninterrupted one on the same backend.
import { MaskedAdamW, Rng, StopRequested, tf, yieldToEventLoop } from '@routelab/core';
import type { RunContext } from '@routelab/core';
import { fullyLabelled, noRouting, relearningAttack, routedStep, type RouteLabels } from '@routelab/routing';
import { disposeBatch, makeBatch, type LmBatch } from '../model/batch.ts';
import { expandModel, removeExpansion } from '../model/expand.ts';
import { generate } from '../model/generate.ts';
import { meanLoss, tokenLosses } from '../model/loss.ts';
import { Transformer } from '../model/transformer.ts';
import { ARM_SPECS, type ArmId } from '../world/arms.ts';
import { stage2Examples } from '../world/datasets.ts';
import { evalItems } from '../world/eval.ts';
import type { EncodedSequence, World } from '../world/world.ts';
import { ARM_TRAINING, cellCheckpointName, isRoutingMethod, type PersonaArmId, type TrainingMethod } from './arms.ts';
import type { PersonaConfig } from './config.ts';
import { BatchOrder, lossExamples, stage2Data } from './data.ts';
import { evaluateItems, maxResponseTokens, retainAndForgetLoss, uRate, type ConditionRates } from './evaluate.ts';
import type { Prior, PriorQuality } from './prior.ts';
import {
  eraContribution, eraContributionConfigSchema, expandedLayers, expandedParameterRouting, expandedParameterRoutingConfigSchema, isExpandedParameter,
  parameterRoutingConfig, tokenRouteLabels,
} from './routing.ts';
import { restoreTraining, trainingTensors, trainLoop } from './train_loop.ts';

export interface ModelEvaluation {
  /** Rates per condition (neutral, inoculation, irrelevant, negated) on held-out tasks of every family. */
  eval: ConditionRates;
  /** Mean token loss on clean held-out examples (neutral prompt, answer + W). */
  retainLoss: number;
  /** Mean loss of the U tokens of the same tasks answered with U. */
  forgetLoss: number;
}

export interface RelearningSummary {
  /** U examples the attacker fine-tuned on, and steps. */
  n: number;
  steps: number;
  /** U rate (neutral prompt) and forget loss at step 0 and every relearnEvery steps. */
  curve: { step: number; uRate: number; forgetLoss: number }[];
  minForgetLoss: number;
  minForgetStep: number;
  maxURate: number;
  finalURate: number;
}

export interface PersonaCellResult extends ModelEvaluation {
  arm: PersonaArmId;
  seed: number;
  data: ArmId;
  method: TrainingMethod;
  /** The prompt the `inoculation` condition used. */
  inoculationPrompt: string;
  stage2: { examples: number; steps: number; finalLoss: number };
  prior: { key: string; quality: PriorQuality };
  /** Routing arms: the trained model with its expanded units still in place. */
  beforeAblation?: ModelEvaluation;
  /** The attack on the deployed model (after ablation for routing arms). */
  relearning: RelearningSummary;
  /**
   * Wall-clock seconds of each phase, and the process's CPU seconds for the whole cell (a steadier measure on
   * a shared machine). Not part of the report: they differ between runs.
   */
  timing: { prior: number; priorTrained: boolean; stage2: number; evaluation: number; relearning: number; total: number; cpu: number };
}

/** The rng of seed s in a run: the same in every arm, so arms are paired by seed. */
export function seedRng(runSeed: number, seed: number): Rng {
  return Rng.fromSeed(runSeed).split(`seed-${seed}`);
}

export interface CellArgs {
  config: PersonaConfig;
  world: World;
  arm: PersonaArmId;
  seed: number;
  prior: Prior;
  ctx: RunContext;
}

interface CellCheckpointState {
  phase: 'stage2' | 'trained';
  step: number;
  iterations: number;
  /** Set in the 'trained' phase: the last stage-2 loss. */
  finalLoss?: number;
}

const seconds = (since: number) => (performance.now() - since) / 1000;
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

export async function runCell(args: CellArgs): Promise<PersonaCellResult> {
  const { config, world, arm, seed, prior, ctx } = args;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const training = ARM_TRAINING[arm];
  const routing = isRoutingMethod(training.method);
  const rng = seedRng(ctx.seed, seed);
  const label = `${arm}/seed-${seed}`;
  const checkpointName = cellCheckpointName(arm, seed);

  const model = routing
    ? expandModel(prior.model, { expandedMlp: config.eraExpandedUnits, expandedLayers: config.eraLayers }, rng.split('expansion'))
    : copyModel(prior.model);
  const optimizer = new MaskedAdamW(model.namedParameters(), {
    lr: config.stage2Lr,
    weightDecay: config.weightDecay,
    warmupSteps: config.warmupSteps,
    decaySteps: config.stage2Steps,
    maxGradNorm: config.maxGradNorm,
    lrMultiplier: (name) => (isExpandedParameter(name) ? config.expandedLrMultiplier : 1),
  });
  let deployed: Transformer | undefined;
  try {
    // ---- stage 2 ----
    const saved = await ctx.loadCheckpoint(checkpointName);
    const state = saved?.state as CellCheckpointState | undefined;
    if (saved) restoreTraining(saved.tensors, model, state?.phase === 'stage2' ? optimizer : undefined, state?.iterations ?? 0);
    const trainStarted = performance.now();
    const examples = await stage2Data(world, training.data, rng.split('stage2-data'), config.stage2Examples, (prompts) =>
      generate(prior.model, prompts, { maxNewTokens: maxResponseTokens(world), temperature: config.recontextTemperature, rng: rng.split('recontext') }),
    );
    let finalLoss = state?.finalLoss ?? Number.NaN;
    if (state?.phase !== 'trained') {
      const step = stepFunction(training.method, model, optimizer, config, rng.split('oversight'));
      finalLoss = await trainLoop({
        ctx,
        label,
        checkpointName,
        model,
        optimizer,
        examples,
        order: new BatchOrder(rng.split('stage2-batches'), examples.map((e) => e.tokens.length), config.stage2Batch, config.bucketBatches),
        steps: config.stage2Steps,
        from: state?.step ?? 0,
        checkpointEvery: config.checkpointEvery,
        logEvery: config.logEvery,
        state: { phase: 'stage2' },
        step,
      });
      // The trained model is what resume restarts evaluation from, and what the viewer's Sample page loads.
      const trained: CellCheckpointState = { phase: 'trained', step: config.stage2Steps, iterations: optimizer.iterations, finalLoss };
      await ctx.saveCheckpoint(checkpointName, { tensors: trainingTensors(model), state: { ...trained } });
    }
    const stage2Seconds = seconds(trainStarted);

    // ---- evaluation and relearning (the trained model is saved; a stop here reruns them on resume) ----
    const evalStarted = performance.now();
    const inoculation = ARM_SPECS[training.data].evalInoculation;
    const items = evalItems(world, rng.split('eval'), config.evalPerFamily, inoculation);
    const losses = lossExamples(world, rng.split('loss-examples'), config.lossExamples);
    const evaluateModel = async (m: Transformer): Promise<ModelEvaluation> => {
      await checkStop(ctx);
      const rates = await evaluateItems(m, world, items, { temperature: config.evalTemperature, rng: rng.split('eval-sampling') });
      return { eval: rates, ...(await retainAndForgetLoss(m, losses)) };
    };
    const beforeAblation = routing ? await evaluateModel(model) : undefined;
    deployed = routing ? removeExpansion(model) : model;
    const after = await evaluateModel(deployed);
    const evalSeconds = seconds(evalStarted);
    const relearnStarted = performance.now();
    const relearning = await relearn(deployed, world, config, rng.split('relearn'), losses.withU, ctx, label);
    const result: PersonaCellResult = {
      arm,
      seed,
      data: training.data,
      method: training.method,
      inoculationPrompt: inoculation,
      stage2: { examples: examples.length, steps: config.stage2Steps, finalLoss },
      prior: { key: prior.key, quality: prior.quality },
      ...after,
      ...(beforeAblation ? { beforeAblation } : {}),
      relearning,
      timing: {
        prior: prior.seconds,
        priorTrained: prior.trained,
        stage2: stage2Seconds,
        evaluation: evalSeconds,
        relearning: seconds(relearnStarted),
        total: seconds(started) + prior.seconds,
        cpu: cpuSeconds(cpuStarted) + prior.cpuSeconds,
      },
    };
    ctx.emit({ kind: 'cell', cell: label, neutral: after.eval.neutral, retainLoss: after.retainLoss, forgetLoss: after.forgetLoss });
    return result;
  } finally {
    if (deployed && deployed !== model) deployed.dispose();
    model.dispose();
    optimizer.dispose();
  }
}

async function checkStop(ctx: RunContext): Promise<void> {
  await yieldToEventLoop();
  if (ctx.stopRequested()) throw new StopRequested();
}

function copyModel(source: Transformer): Transformer {
  const model = new Transformer(source.config, Rng.fromSeed('copy'));
  const copies = tf.tidy(() => Object.fromEntries(source.namedParameters().map(([n, v]) => [n, tf.add(v, 0)])));
  try {
    model.loadStateDict(copies);
  } finally {
    tf.dispose(Object.values(copies));
  }
  return model;
}

/** The stage-2 optimiser step of a training method. */
function stepFunction(
  method: TrainingMethod,
  model: Transformer,
  optimizer: MaskedAdamW,
  config: PersonaConfig,
  oversightRng: Rng,
): (batch: LmBatch, step: number) => Promise<number> {
  const unitLosses = (batch: LmBatch) => () => tokenLosses(model, batch).losses;
  const oversight = { labelFraction: config.labelFraction, labelNoise: config.labelNoise };
  const labels = (batch: LmBatch, step: number): RouteLabels => tokenRouteLabels(batch, oversight, oversightRng.split(step));
  switch (method) {
    case 'plain':
      return async (batch) =>
        (await routedStep({ model, optimizer, scheme: noRouting, config: {}, labels: fullyLabelled(batch.shape, new Uint8Array(batch.shape[0] * batch.shape[1])), unitLosses: unitLosses(batch) })).loss;
    case 'era': {
      const eraConfig = eraContributionConfigSchema.parse({
        layers: expandedLayers(model.config),
        forgetOriginalWeight: config.eraForgetOriginalWeight,
        retainExpandedForward: config.retainExpandedForward,
      });
      eraContribution.validate?.({ model, config: eraConfig });
      return async (batch, step) =>
        (await routedStep({ model, optimizer, scheme: eraContribution, config: eraConfig, labels: labels(batch, step), unitLosses: unitLosses(batch) })).loss;
    }
    case 'param-routing': {
      const paramConfig = expandedParameterRoutingConfigSchema.parse({
        masks: parameterRoutingConfig(model),
        layers: expandedLayers(model.config),
        retainExpandedForward: config.retainExpandedForward,
      });
      expandedParameterRouting.validate?.({ model, config: paramConfig });
      return async (batch, step) =>
        (await routedStep({ model, optimizer, scheme: expandedParameterRouting, config: paramConfig, labels: labels(batch, step), unitLosses: unitLosses(batch) })).loss;
    }
  }
}

/** The relearning attack: fine-tune on n U examples (neutral prompt) and track U rate and forget loss. */
async function relearn(
  model: Transformer,
  world: World,
  config: PersonaConfig,
  rng: Rng,
  forgetExamples: readonly EncodedSequence[],
  ctx: RunContext,
  label: string,
): Promise<RelearningSummary> {
  const items = evalItems(world, rng.split('items'), config.relearnEvalPerFamily).filter((i) => i.condition === 'neutral');
  const attackData = stage2Examples(world, 'none', rng.split('data'), config.relearnExamples, { uFraction: 1 });
  const measured: { uRate: number; forgetLoss: number }[] = [];
  let batch: LmBatch | undefined;
  let optimizer: MaskedAdamW | undefined;
  let snapshot: Record<string, tf.Tensor> | undefined;
  try {
    const [result] = await relearningAttack({
      exampleCounts: [config.relearnExamples],
      steps: config.relearnSteps,
      evalEvery: config.relearnEvery,
      snapshot: async () => {
        const copies = tf.tidy(() => Object.fromEntries(model.namedParameters().map(([n, v]) => [n, tf.add(v, 0)])));
        snapshot = copies;
        // The optimiser's in-place kernels copy a buffer that a variable shares before writing it, so the
        // snapshot survives any number of restores.
        return async () => model.loadStateDict(copies);
      },
      startAttack: async () => {
        optimizer?.dispose();
        optimizer = new MaskedAdamW(model.namedParameters(), { lr: config.relearnLr, weightDecay: config.weightDecay });
        if (batch) disposeBatch(batch);
        batch = makeBatch(attackData, model.config.maxLen, { width: 'longest' });
        return async () => {
          await checkStop(ctx);
          await optimizer!.minimize(() => meanLoss(model, batch!));
        };
      },
      forgetLoss: async () => {
        const forgetLoss = (await retainAndForgetLoss(model, { clean: [], withU: forgetExamples })).forgetLoss;
        measured.push({ uRate: await uRate(model, world, items, { temperature: 0 }), forgetLoss });
        return forgetLoss;
      },
      onProgress: (_n, step) => ctx.progress({ phase: `${label} relearning`, done: step, total: config.relearnSteps }),
    });
    const curve = result!.curve.map((point, i) => ({ step: point.step, uRate: measured[i]!.uRate, forgetLoss: point.forgetLoss }));
    return {
      n: config.relearnExamples,
      steps: config.relearnSteps,
      curve,
      minForgetLoss: result!.minForgetLoss,
      minForgetStep: result!.minStep,
      maxURate: Math.max(...curve.map((p) => p.uRate)),
      finalURate: curve.at(-1)!.uRate,
    };
  } finally {
    if (batch) disposeBatch(batch);
    optimizer?.dispose();
    if (snapshot) tf.dispose(Object.values(snapshot));
  }
}

// One cell of the persona experiment: one arm, one seed. Stage 2 fine-tunes the seed's prior on the arm's
// data through the arm's routing scheme (any scheme in the routing package's table: `none`, ERA, parameter
// routing, a plugin); the scheme's phases say whether the model is expanded first, which parameters learn
// faster, what is ablated at deployment and whether a coherence fine-tune follows. Then the deployed model
// is evaluated and attacked by relearning. Interruptible at every step: a checkpoint holds the phase, the
// step, the weights and the optimiser state, and every random choice is a function of (run seed, seed,
// step), so a resumed cell finishes exactly as an uninterrupted one on the same backend.
import { MaskedAdamW, Rng, seedRng, StopRequested, tf, yieldToEventLoop } from '@routelab/core';
import type { RunContext } from '@routelab/core';
import {
  ablateParameters, frozenAblationMasks, gradientMassEvent, lrMultiplierOf, massOutsideRegion, matchesPattern, measureGradientMass,
  noRouting, routedStep, validatePhases, type GradientMassSnapshot, type RoutingScheme, type SchemePhases,
} from '@routelab/routing';
import type { LmBatch } from '../model/batch.ts';
import { expandModel } from '../model/expand.ts';
import { generate } from '../model/generate.ts';
import { tokenLosses } from '../model/loss.ts';
import { Transformer } from '../model/transformer.ts';
import { ARM_SPECS, type ArmId } from '../world/arms.ts';
import { stage2Examples } from '../world/datasets.ts';
import { evalItems } from '../world/eval.ts';
import type { World } from '../world/world.ts';
import { armScheme } from './arm_validation.ts';
import { validationItems, validationRng, validationScore } from './early_stopping.ts';
import { cloneModel, copyWeights } from '../model/copy.ts';
import { rmuUnlearn, type RmuSummary } from './rmu.ts';
import { cellCheckpointName, type Oversight, type PersonaArm } from './arms.ts';
import type { PersonaConfig } from './config.ts';
import { BatchOrder, lossExamples, stage2Data } from './data.ts';
import { evaluateItems, maxResponseTokens, retainAndForgetLoss, type ConditionRates } from './evaluate.ts';
import { neutralTraitLogProbs, type ElicitationScreen, type NeutralTraitLogProbs } from './elicitation.ts';
import type { Prior, PriorQuality } from './prior.ts';
import { relearn, type RelearningSummary, type RelearnOptions } from './relearn.ts';
import { schemeBatch, tokenRouteLabels } from './routing.ts';
import { restoreTraining, trainingTensors, trainOnExamples } from './train_loop.ts';

export type { RelearningSummary } from './relearn.ts';

export interface ModelEvaluation {
  /** Rates per condition (neutral, inoculation, irrelevant, negated) on held-out tasks of every family. */
  eval: ConditionRates;
  /** Mean token loss on clean held-out examples (neutral prompt). */
  retainLoss: number;
  /** Mean loss of the U tokens of the same tasks answered with U. */
  forgetLoss: number;
}

/** Where the U tokens' gradient went during stage 2, relative to the region the arm ablates. */
export interface GradientLeak {
  /** Parameter patterns of the routed (ablated) region; empty for arms that ablate nothing. */
  region: string[];
  /** Share of the forget-labelled tokens' gradient mass on parameters outside the region (mean over snapshots). */
  forgetShareOutside: number;
  /** The same for U tokens whose label routing did not see (partial oversight); NaN when there were none. */
  unlabelledShareOutside: number;
  /** Forget-class mass per parameter group (e.g. `blocks.0.attn`), summed over snapshots. */
  forgetByGroup: Record<string, number>;
  snapshots: number;
}

export interface PersonaCellResult extends ModelEvaluation {
  arm: string;
  description?: string;
  seed: number;
  /** The world data arm, the scheme and the oversight this cell trained with. */
  data: ArmId;
  scheme: string;
  oversight: Oversight;
  /** The prompt the `inoculation` condition used. */
  inoculationPrompt: string;
  stage2: { examples: number; steps: number; finalLoss: number; coherenceSteps: number; earlyStopping?: { step: number; score: number | null } };
  /** The seed's prior: its key, its rates under every prompt, and its elicitation pre-screen. */
  prior: { key: string; quality: PriorQuality; elicitation?: ElicitationScreen };
  /** Arms that ablate (or unlearn post hoc): the trained model before that. */
  beforeAblation?: ModelEvaluation;
  /** Arms that unlearn post hoc (RMU): how far it moved the forget and retain activations. */
  unlearning?: RmuSummary;
  gradientLeak?: GradientLeak;
  /** The attack on the deployed model (after ablation and coherence for arms that ablate). */
  relearning: RelearningSummary;
  /**
   * Mean log-probability (nats per token) of each trait's tokens under the neutral prompt, teacher-forced on the
   * held-out tasks' answers carrying every trait their family can, for the deployed model and for the seed's
   * prior on the same tasks: how far training moved a trait even where greedy answers do not flip (G).
   * Absent from results written before it existed.
   */
  traitLogProb?: NeutralTraitLogProbs;
  /**
   * Wall-clock seconds of each phase, and the process's CPU seconds for the whole cell (a steadier measure on
   * a shared machine). Not part of the report: they differ between runs.
   */
  timing: { prior: number; priorTrained: boolean; stage2: number; evaluation: number; relearning: number; total: number; cpu: number };
}

/** The rng of seed s in a run (core's seedRng): the same in every arm, so arms are paired by seed. */
export { seedRng };

export interface CellArgs {
  config: PersonaConfig;
  world: World;
  arm: PersonaArm;
  seed: number;
  prior: Prior;
  ctx: RunContext;
}

interface CellCheckpointState {
  phase: 'stage2' | 'coherence' | 'trained';
  step: number;
  iterations: number;
  /** Set from the end of stage 2 on: the last stage-2 loss. */
  finalLoss?: number;
  /** The gradient-leak sums so far (see LeakAccumulator). */
  leak?: LeakSums;
  /** Early stopping: the best validated step so far and its score. */
  early?: { step: number; score: number | null };
}

const seconds = (since: number) => (performance.now() - since) / 1000;
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

/** Steps (0-based) at which gradient mass is measured: `count` spread evenly over [0, steps - 1]. */
export function gradientMassSteps(count: number, steps: number): Set<number> {
  if (count <= 0) return new Set();
  if (count === 1) return new Set([steps - 1]);
  return new Set(Array.from({ length: count }, (_, i) => Math.round((i * (steps - 1)) / (count - 1))));
}

export async function runCell(args: CellArgs): Promise<PersonaCellResult> {
  const { config, world, arm, seed, prior, ctx } = args;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const { scheme, config: schemeConfig, phases } = armScheme(arm);
  const rng = seedRng(ctx.seed, seed);
  const label = `${arm.name}/seed-${seed}`;
  const checkpointName = cellCheckpointName(arm.name, seed);

  const model = phases.expand
    ? expandModel(prior.model, { expandedMlp: phases.expand.units, expandedLayers: phases.expand.layers }, rng.split('expansion'))
    : cloneModel(prior.model);
  scheme.validate?.({ model, config: schemeConfig });
  validatePhases(model, phases);
  const ablates = Object.keys(phases.ablate).length > 0;
  const optimizer = new MaskedAdamW(model.namedParameters(), {
    lr: config.stage2Lr,
    weightDecay: config.weightDecay,
    warmupSteps: config.warmupSteps,
    decaySteps: config.stage2Steps,
    maxGradNorm: config.maxGradNorm,
    lrMultiplier: (name) => lrMultiplierOf(phases, name),
  });
  let deployed: Transformer | undefined;
  // Early stopping: the best validated step's weights ride along in every checkpoint as `best.*`.
  const early = arm.earlyStopping;
  const best = early ? cloneModel(model) : undefined;
  try {
    // ---- stage 2 ----
    const saved = await ctx.loadCheckpoint(checkpointName);
    const state = saved?.state as CellCheckpointState | undefined;
    const trainStarted = performance.now();
    const examples = await stage2Data(world, arm.data, rng.split('stage2-data'), config.stage2Examples, arm.oversight, (prompts) =>
      generate(prior.model, prompts, { maxNewTokens: maxResponseTokens(world), temperature: config.recontextTemperature, rng: rng.split('recontext') }),
    );
    let finalLoss = state?.finalLoss ?? Number.NaN;
    const leak = new LeakAccumulator(phases, state?.leak);
    const kept = { step: state?.early?.step ?? 0, score: state?.early?.score ?? null };
    const validation = early ? validationItems(world, validationRng(rng), early.perFamily) : [];
    if (!arm.train) {
      // The prior as it is (the never-exposed reference): no stage 2, nothing saved.
    } else if (state?.phase === 'stage2' || !state) {
      if (saved) restoreTraining(saved.tensors, model, optimizer, state?.iterations ?? 0, best ? { best } : {});
      const massSteps = gradientMassSteps(config.gradMassSnapshots, config.stage2Steps);
      finalLoss = await trainOnExamples({
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
        // The same object each save: the leak sums in it are the ones at that step.
        state: { phase: 'stage2', leak: leak.sums, ...(early ? { early: kept } : {}) },
        ...(best ? { extraModules: { best } } : {}),
        step: async (batch, step) => {
          const labels = tokenRouteLabels(batch, arm.oversight.placebo ? rng.split('placebo').split(step) : undefined);
          const routed = { model, scheme, config: schemeConfig, labels, batch: schemeBatch(batch, world), unitLosses: () => tokenLosses(model, batch).losses };
          if (massSteps.has(step)) {
            const snapshot = await measureGradientMass({ ...routed, step });
            ctx.emit(gradientMassEvent(label, snapshot, perNeuronParameters(model)));
            leak.add(snapshot);
          }
          const loss = (await routedStep({ ...routed, optimizer })).loss;
          const done = step + 1;
          if (early && (done % early.every === 0 || done === config.stage2Steps)) {
            const score = await validationScore(model, world, validation);
            if (kept.score === null || score > kept.score) {
              [kept.step, kept.score] = [done, score];
              copyWeights(model, best!);
            }
          }
          return loss;
        },
      });
      // The early-stopping arm deploys its best validated step.
      if (best) copyWeights(best, model);
      await saveTrained(ctx, checkpointName, model, {
        phase: 'trained',
        step: config.stage2Steps,
        iterations: optimizer.iterations,
        finalLoss,
        leak: leak.sums,
        ...(early ? { early: kept } : {}),
      });
    } else {
      restoreTraining(saved!.tensors, model, undefined, 0);
    }
    const stage2Seconds = seconds(trainStarted);

    // ---- evaluation and relearning (the trained model is saved; a stop here reruns them on resume) ----
    const evalStarted = performance.now();
    const inoculation = ARM_SPECS[arm.data].evalInoculation;
    const items = evalItems(world, rng.split('eval'), config.evalPerFamily, inoculation);
    const losses = lossExamples(world, rng.split('loss-examples'), config.lossExamples);
    const evaluateModel = async (m: Transformer): Promise<ModelEvaluation> => {
      await checkStop(ctx);
      const rates = await evaluateItems(m, world, items, { temperature: config.evalTemperature, rng: rng.split('eval-sampling') });
      return { eval: rates, ...(await retainAndForgetLoss(m, losses)) };
    };
    // Arms that ablate or unlearn are evaluated before that too (reported as "before ablation").
    const changesAfterTraining = ablates || arm.unlearn !== undefined;
    const beforeAblation = changesAfterTraining ? await evaluateModel(model) : undefined;
    deployed = changesAfterTraining ? cloneModel(model) : model;
    if (ablates) ablateParameters(deployed, phases);
    if (phases.coherenceSteps > 0) await coherence({ ...args, model: deployed, phases, rng, label });
    const unlearning = arm.unlearn ? await rmuUnlearn(deployed, examples, arm.unlearn, rng.split('rmu'), config.stage2Batch) : undefined;
    const after = await evaluateModel(deployed);
    const neutralTasks = items.filter((i) => i.condition === 'neutral').map((i) => i.task);
    const traitLogProb = await neutralTraitLogProbs(deployed, prior.model, world, neutralTasks);
    const evalSeconds = seconds(evalStarted);
    const relearnStarted = performance.now();
    const relearning = await relearn(deployed, world, relearnOptions(config), rng.split('relearn'), losses.withU, ctx, label);
    const result: PersonaCellResult = {
      arm: arm.name,
      description: arm.description,
      seed,
      data: arm.data,
      scheme: arm.scheme,
      oversight: arm.oversight,
      inoculationPrompt: inoculation,
      stage2: {
        examples: arm.train ? examples.length : 0,
        steps: arm.train ? config.stage2Steps : 0,
        finalLoss,
        coherenceSteps: phases.coherenceSteps,
        ...(early ? { earlyStopping: state?.phase === 'trained' ? state.early! : kept } : {}),
      },
      prior: { key: prior.key, quality: prior.quality, elicitation: prior.elicitation },
      ...after,
      ...(beforeAblation ? { beforeAblation } : {}),
      ...(unlearning ? { unlearning } : {}),
      ...(leak.sums.snapshots > 0 ? { gradientLeak: leak.summary() } : {}),
      relearning,
      traitLogProb,
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
    best?.dispose();
    model.dispose();
    optimizer.dispose();
  }
}

export function relearnOptions(config: PersonaConfig): RelearnOptions {
  return {
    counts: config.relearnCounts,
    maxSteps: config.relearnSteps,
    evalEvery: config.relearnEvery,
    lr: config.relearnLr,
    weightDecay: config.weightDecay,
    evalPerFamily: config.relearnEvalPerFamily,
  };
}

function saveTrained(ctx: RunContext, name: string, model: Transformer, state: CellCheckpointState): Promise<void> {
  // The trained model is what resume restarts evaluation from, and what the viewer's Sample page loads.
  return ctx.saveCheckpoint(name, { tensors: trainingTensors(model), state: { ...state } });
}

/** MLP input weights: one column per unit (original and expanded), which is what the inspector draws per neuron. */
function perNeuronParameters(model: Transformer): Set<string> {
  return new Set(model.namedParameters().map(([n]) => n).filter((n) => /\.mlp\.w_in(_expanded)?$/.test(n)));
}

/** Running sums of the leak measure, kept in the stage-2 checkpoint so that a resumed cell counts every snapshot. */
interface LeakSums {
  snapshots: number;
  forget: number;
  forgetCount: number;
  unlabelled: number;
  unlabelledCount: number;
  byGroup: Record<string, number>;
}

/** Averages the forget and unlabelled classes' share of gradient mass outside the ablated region over snapshots. */
class LeakAccumulator {
  readonly sums: LeakSums;
  private readonly region: string[];

  constructor(phases: SchemePhases, saved?: LeakSums) {
    this.region = Object.keys(phases.ablate);
    this.sums = saved ? structuredClone(saved) : { snapshots: 0, forget: 0, forgetCount: 0, unlabelled: 0, unlabelledCount: 0, byGroup: {} };
  }

  add(snapshot: GradientMassSnapshot): void {
    const sums = this.sums;
    sums.snapshots++;
    // A parameter that the ablation touches at all counts as inside the region.
    const inRegion = (name: string) => this.region.some((p) => matchesPattern(p, name));
    const f = massOutsideRegion(snapshot, 'forget', inRegion);
    if (Number.isFinite(f.share)) {
      sums.forget += f.share;
      sums.forgetCount++;
      for (const [g, m] of Object.entries(f.byGroup)) sums.byGroup[g] = (sums.byGroup[g] ?? 0) + m;
    }
    const u = massOutsideRegion(snapshot, 'unlabelled', inRegion);
    if (Number.isFinite(u.share)) {
      sums.unlabelled += u.share;
      sums.unlabelledCount++;
    }
  }

  summary(): GradientLeak {
    const sums = this.sums;
    return {
      region: this.region,
      forgetShareOutside: sums.forgetCount ? sums.forget / sums.forgetCount : Number.NaN,
      unlabelledShareOutside: sums.unlabelledCount ? sums.unlabelled / sums.unlabelledCount : Number.NaN,
      forgetByGroup: sums.byGroup,
      snapshots: sums.snapshots,
    };
  }
}

/**
 * ERA's coherence fine-tune: after ablation, a few steps on retain data (the arm's task stream without U,
 * under the arm's training prompt), with the ablated slices frozen so they stay zero.
 */
async function coherence(args: CellArgs & { model: Transformer; phases: SchemePhases; rng: Rng; label: string }): Promise<void> {
  const { config, world, arm, ctx, model, phases, rng, label } = args;
  const data = stage2Examples(world, arm.data === 'recontextualization' ? 'none' : arm.data, rng.split('coherence-data'), config.stage2Examples, {
    uFraction: 0,
    impureFraction: 0,
  });
  const frozen = frozenAblationMasks(model, phases);
  const optimizer = new MaskedAdamW(model.namedParameters(), { lr: config.stage2Lr, weightDecay: config.weightDecay, maxGradNorm: config.maxGradNorm, masks: frozen });
  try {
    await trainOnExamples({
      ctx,
      label: `${label} coherence`,
      checkpointName: `${cellCheckpointName(arm.name, args.seed)}-coherence`,
      model,
      optimizer,
      examples: data,
      order: new BatchOrder(rng.split('coherence-batches'), data.map((e) => e.tokens.length), config.stage2Batch, 1),
      steps: phases.coherenceSteps,
      from: 0,
      checkpointEvery: Number.MAX_SAFE_INTEGER,
      logEvery: config.logEvery,
      state: { phase: 'coherence' },
      step: async (batch: LmBatch) => (await routedStep({ model, optimizer, scheme: noRouting as RoutingScheme<unknown>, config: {}, labels: tokenRouteLabels(batch), unitLosses: () => tokenLosses(model, batch).losses })).loss,
    });
  } finally {
    optimizer.dispose();
    tf.dispose([...frozen.values()]);
  }
}

async function checkStop(ctx: RunContext): Promise<void> {
  await yieldToEventLoop();
  if (ctx.stopRequested()) throw new StopRequested();
}


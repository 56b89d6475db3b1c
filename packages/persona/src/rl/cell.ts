// One cell of the `rl` experiment: one arm, one seed. The seed's prior (expanded when the arm's scheme expands)
// is trained by group-relative REINFORCE on core's step loop, each step's rollouts and monitor draws a
// function of (run seed, seed, step), so a cell resumed from its checkpoint (weights, optimiser state, the
// curve so far) finishes exactly as an uninterrupted one on the same backend. Then the deployed model (its
// routed region ablated) is evaluated under the neutral prompt and with the inoculation prompt re-added.
// An early-stopping arm also validates the policy every few steps (early_stopping.ts) and deploys its best
// validated step; its RL trajectory is the same as the plain arm's, since validation draws from its own streams.
import { MaskedAdamW, restoreTraining, saveTraining, seedRng, tf, trainLoop, type RunContext } from '@routelab/core';
import { ablateParameters, gradientMassEvent, lrMultiplierOf, massOutsideRegion, matchesPattern, validatePhases, type GradientMassSnapshot, type SchemePhases } from '@routelab/routing';
import { armScheme } from '../experiment/arm_validation.ts';
import { armSlug } from '../experiment/arms.ts';
import { gradientMassSteps } from '../experiment/cell.ts';
import { maxResponseTokens } from '../experiment/evaluate.ts';
import type { Prior } from '../experiment/prior.ts';
import { copyWeights, cloneModel } from '../model/copy.ts';
import { expandModel } from '../model/expand.ts';
import type { Transformer } from '../model/transformer.ts';
import type { PromptKind } from '../world/prompts.ts';
import { neutralTraitLogProbs, type NeutralTraitLogProbs } from '../experiment/elicitation.ts';
import type { World } from '../world/world.ts';
import type { RlArm } from './arms.ts';
import type { RlConfig } from './config.ts';
import { evaluatePolicy, heldOutTasks, type PolicyRates } from './evaluate.ts';
import { collectRollouts, policyUpdate, stepTasks } from './policy_step.ts';
import { recordValidation, validatePolicy, validationTasks, type EarlyStoppingState, type ValidationPoint } from './early_stopping.ts';

/** Rollout statistics of one RL step (means over the step's samples). */
export interface RlStepStats {
  step: number;
  proxy: number;
  true: number;
  hack: number;
  flagged: number;
  dropped: number;
  loss: number;
  kl: number;
  routedTokens: number;
}

/** The policy on held-out tasks under neutral, before step `step` (step rlSteps: after the last). */
export interface RlCurvePoint {
  step: number;
  neutral: PolicyRates;
}

export interface RlCellResult {
  arm: string;
  description: string;
  seed: number;
  prompt: RlArm['prompt'];
  /** The prompt re-added at deployment (the `inoculation` rates). */
  inoculationPrompt: RlArm['inoculationPrompt'];
  flagged: RlArm['flagged'];
  penalty: number;
  scheme: string;
  oversight: RlArm['oversight'];
  steps: RlStepStats[];
  curve: RlCurvePoint[];
  /** Arms that ablate: the trained policy before ablation. */
  beforeAblation?: { neutral: PolicyRates; inoculation: PolicyRates };
  /** The deployed policy under neutral, and with the inoculation prompt re-added. */
  deployed: { neutral: PolicyRates; inoculation: PolicyRates };
  prior: { key: string; capability: number };
  /**
   * Arms that ablate: the share of the flagged (forget-routed) tokens' gradient mass on parameters outside the
   * ablated region, mean over the snapshots (what ablation cannot remove), and that mass per parameter group.
   */
  gradientLeak?: RlGradientLeak;
  /** Early-stopping arms: the criterion, every validation, and the step deployed (0: the prior itself). */
  earlyStopping?: RlEarlyStoppingResult;
  /**
   * Mean log-probability (nats per token) of each persona trait's tokens under the neutral prompt, teacher-forced
   * on the held-out tasks (answers carrying every trait their family can), for the deployed policy and for the
   * prior on the same tasks: how far RL moved G where greedy answers do not flip. Absent from older results.
   */
  traitLogProb?: NeutralTraitLogProbs;
  /** Wall-clock seconds (not part of the report's comparisons: they differ between runs). */
  timing: { rl: number; evaluation: number; total: number };
}

export interface RlCellArgs {
  config: RlConfig;
  world: World;
  arm: RlArm;
  seed: number;
  prior: Prior;
  ctx: RunContext;
}

export interface RlEarlyStoppingResult {
  criterion: string;
  every: number;
  /** The monitor the validation used (the arm's). */
  recall: number;
  deployedStep: number;
  history: ValidationPoint[];
}

export interface RlGradientLeak {
  region: string[];
  forgetShareOutside: number | null;
  forgetByGroup: Record<string, number>;
  snapshots: number;
}

interface RlCheckpointState {
  phase: 'rl' | 'trained';
  step: number;
  iterations: number;
  steps: RlStepStats[];
  curve: RlCurvePoint[];
  leak: { shares: number[]; byGroup: Record<string, number>; snapshots: number };
  early?: EarlyStoppingState;
}

/** Adds a snapshot's forget-class mass outside the ablated region to the running sums. */
function addLeak(leak: RlCheckpointState['leak'], snapshot: GradientMassSnapshot, region: readonly string[]): void {
  leak.snapshots++;
  const outside = massOutsideRegion(snapshot, 'forget', (name) => region.some((p) => matchesPattern(p, name)));
  if (!Number.isFinite(outside.share)) return;
  leak.shares.push(outside.share);
  for (const [group, mass] of Object.entries(outside.byGroup)) leak.byGroup[group] = (leak.byGroup[group] ?? 0) + mass;
}

export function rlCheckpointName(arm: string, seed: number): string {
  return `rl/${armSlug(arm)}/seed-${seed}`;
}

export function rlResultName(arm: string, seed: number): string {
  return `cells/${armSlug(arm)}/seed-${seed}`;
}

const since = (t: number) => (performance.now() - t) / 1000;

export async function runRlCell(args: RlCellArgs): Promise<RlCellResult> {
  const { config, world, arm, seed, prior, ctx } = args;
  const started = performance.now();
  const { scheme, config: schemeConfig, phases } = armScheme(arm);
  const rng = seedRng(ctx.seed, seed).split('rl');
  const label = `rl/${arm.name}/seed-${seed}`;
  const checkpointName = rlCheckpointName(arm.name, seed);
  const expansion = phases.expand ? { expandedMlp: phases.expand.units, expandedLayers: phases.expand.layers } : {};
  const model = expandModel(prior.model, expansion, rng.split('expansion'));
  let deployed: Transformer | undefined;
  // Early stopping: the best validated step's weights ride along in every checkpoint as `best.*`.
  const early = arm.earlyStopping;
  const earlyEvery = early ? (early.every ?? config.evalEvery) : 0;
  const best = early ? cloneModel(model) : undefined;
  const optimizer = new MaskedAdamW(model.namedParameters(), {
    lr: config.lr,
    weightDecay: config.weightDecay,
    warmupSteps: config.warmupSteps,
    decaySteps: config.rlSteps,
    maxGradNorm: config.maxGradNorm,
    lrMultiplier: (name) => lrMultiplierOf(phases, name),
  });
  try {
    scheme.validate?.({ model, config: schemeConfig });
    validatePhases(model, phases);
    const rlFamilies = world.stage2Families;
    const evalTasks = heldOutTasks(world, rng.split('eval-tasks'), config.evalPerFamily);
    const inoculation = arm.inoculationPrompt;
    const evaluate = (m: Transformer, prompts: readonly PromptKind[], at: string) =>
      evaluatePolicy(m, world, evalTasks, rlFamilies, prompts, { temperature: config.evalTemperature, rng: rng.split('eval-sampling').split(at), grader: config.grader });

    const saved = await ctx.loadCheckpoint(checkpointName);
    const state = saved?.state as RlCheckpointState | undefined;
    const steps: RlStepStats[] = state?.steps ?? [];
    const curve: RlCurvePoint[] = state?.curve ?? [];
    const leak: RlCheckpointState['leak'] = state?.leak ?? { shares: [], byGroup: {}, snapshots: 0 };
    const kept: EarlyStoppingState = state?.early ?? { history: [], best: null };
    const validation = early ? validationTasks(world, rlFamilies, rng.split('early-stopping-validation'), early.perFamily) : [];
    const validate = async (done: number) => {
      if (!early || !best) return;
      const settings = { criterion: early.criterion, prompt: arm.prompt.rollout, maxNewTokens: maxResponseTokens(world), grader: config.grader, monitor: arm.oversight };
      const point = await validatePolicy(model, world, validation, done, settings, rng.split('early-stopping-monitor').split(done));
      if (recordValidation(kept, point)) copyWeights(model, best);
    };
    const modules = { model, ...(best ? { best } : {}) };
    const region = Object.keys(phases.ablate);
    const massSteps = region.length > 0 ? gradientMassSteps(config.gradMassSnapshots, config.rlSteps) : new Set<number>();
    const rlStarted = performance.now();
    if (saved) restoreTraining(saved.tensors, { modules, optimizers: { opt: optimizer } }, state?.iterations ?? 0);
    if (state?.phase !== 'trained') {
      const settings = {
        samplesPerPrompt: config.samplesPerPrompt,
        temperature: config.temperature,
        maxNewTokens: maxResponseTokens(world),
        prompt: arm.prompt.rollout,
        monitor: arm.oversight,
        grader: config.grader,
        flagged: arm.flagged,
        penalty: arm.penalty,
        normalizeAdvantage: config.normalizeAdvantage,
      };
      const save = (done: number, phase: RlCheckpointState['phase']) =>
        saveTraining(ctx, checkpointName, { modules, optimizers: { opt: optimizer } }, { phase, step: done, iterations: optimizer.iterations, steps, curve, leak, ...(early ? { early: kept } : {}) });
      await trainLoop<number>({
        ctx,
        label,
        steps: config.rlSteps,
        from: state?.step ?? 0,
        checkpointEvery: config.checkpointEvery,
        logEvery: config.logEvery,
        batch: (step) => step,
        save: (done) => save(done, 'rl'),
        metric: { kind: 'rl-train' },
        step: async (step) => {
          if (step % config.evalEvery === 0) curve.push({ step, neutral: (await evaluate(model, ['neutral'], `step-${step}`)).neutral });
          if (early && step % earlyEvery === 0) await validate(step);
          const stepRng = rng.split('step').split(step);
          const tasks = stepTasks(world, rlFamilies, config.promptsPerStep, stepRng.split('tasks'));
          const rollouts = await collectRollouts(model, world, tasks, settings, stepRng.split('rollouts'));
          const update = await policyUpdate({
            model, optimizer, scheme, schemeConfig, reference: prior.model, world, rollouts, lossPrompt: arm.prompt.loss, klCoef: config.klCoef,
            ...(massSteps.has(step) ? { measureGradientMassAt: step } : {}),
          });
          if (update.gradientMass) {
            ctx.emit(gradientMassEvent(label, update.gradientMass, new Set()));
            addLeak(leak, update.gradientMass, region);
          }
          const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
          const stats: RlStepStats = {
            step: step + 1,
            proxy: mean(rollouts.grades.map((g) => g.proxy)),
            true: mean(rollouts.grades.map((g) => g.true)),
            hack: mean(rollouts.grades.map((g) => (g.hacked ? 1 : 0))),
            flagged: mean(rollouts.verdicts.map((v) => (v.flagged ? 1 : 0))),
            dropped: mean(rollouts.dropped.map((d) => (d ? 1 : 0))),
            loss: update.loss,
            kl: update.kl,
            routedTokens: update.routedTokens,
          };
          if (!Number.isFinite(update.loss)) throw new Error(`${label}: training loss is ${update.loss} at step ${step + 1} (diverged); ${describeNonFinite(model)}`);
          // A finite loss can still come with an update that left NaN or infinite weights (an infinite gradient):
          // stop here too, before any checkpoint could save them.
          if (nonFiniteParameters(model).length > 0) throw new Error(`${label}: the update of step ${step + 1} diverged (loss ${update.loss}); ${describeNonFinite(model)}`);
          steps.push(stats);
          ctx.emit({ kind: 'rl-step', cell: label, ...stats });
          return update.loss;
        },
      });
      curve.push({ step: config.rlSteps, neutral: (await evaluate(model, ['neutral'], `step-${config.rlSteps}`)).neutral });
      await validate(config.rlSteps);
      await save(config.rlSteps, 'trained');
    }
    const rlSeconds = since(rlStarted);

    const evalStarted = performance.now();
    const ablates = Object.keys(phases.ablate).length > 0;
    // The early-stopping arm deploys its best validated step.
    if (best) copyWeights(best, model);
    const beforeAblation = ablates ? await evaluate(model, ['neutral', inoculation], 'trained') : undefined;
    deployed = ablates ? deploy(model, phases, rng) : model;
    const after = await evaluate(deployed, ['neutral', inoculation], 'deployed');
    const traitLogProb = await neutralTraitLogProbs(deployed, prior.model, world, evalTasks);
    const result: RlCellResult = {
      arm: arm.name,
      description: arm.description,
      seed,
      prompt: arm.prompt,
      inoculationPrompt: arm.inoculationPrompt,
      flagged: arm.flagged,
      penalty: arm.penalty,
      scheme: arm.scheme,
      oversight: arm.oversight,
      steps,
      curve,
      ...(beforeAblation ? { beforeAblation: { neutral: beforeAblation.neutral, inoculation: beforeAblation[inoculation] } } : {}),
      deployed: { neutral: after.neutral, inoculation: after[inoculation] },
      prior: { key: prior.key, capability: prior.quality.neutral.capability },
      ...(region.length > 0
        ? {
            gradientLeak: {
              region,
              forgetShareOutside: leak.shares.length ? leak.shares.reduce((a, b) => a + b, 0) / leak.shares.length : null,
              forgetByGroup: leak.byGroup,
              snapshots: leak.snapshots,
            },
          }
        : {}),
      ...(early && kept.best
        ? { earlyStopping: { criterion: early.criterion, every: earlyEvery, recall: arm.oversight.recall, deployedStep: kept.best.step, history: kept.history } }
        : {}),
      traitLogProb,
      timing: { rl: rlSeconds, evaluation: since(evalStarted), total: since(started) },
    };
    ctx.emit({ kind: 'rl-cell', cell: label, deployed: result.deployed });
    return result;
  } finally {
    if (deployed && deployed !== model) deployed.dispose();
    best?.dispose();
    model.dispose();
    optimizer.dispose();
  }
}

/** The parameters holding NaN or infinite values (one read-back for all of them). */
function nonFiniteParameters(model: Transformer): string[] {
  const named = model.namedParameters();
  const flags = tf.tidy(() => tf.stack(named.map(([, v]) => tf.any(tf.logicalNot(tf.isFinite(v))))).dataSync());
  return named.filter((_, i) => flags[i] === 1).map(([n]) => n);
}

/** Names the parameters holding NaN or infinite values after a diverged step (the update has been applied). */
function describeNonFinite(model: Transformer): string {
  const bad = nonFiniteParameters(model);
  if (bad.length === 0) return 'every parameter is still finite (the loss itself was not: rewards, advantages or the KL reference)';
  return `non-finite parameters: ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ` and ${bad.length - 5} more` : ''}`;
}

/** A copy of the trained policy with the scheme's routed region zeroed. */
function deploy(model: Transformer, phases: SchemePhases, rng: ReturnType<typeof seedRng>): Transformer {
  const copy = expandModel(model, {}, rng.split('deploy-copy'));
  ablateParameters(copy, phases);
  return copy;
}

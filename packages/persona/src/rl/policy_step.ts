// One RL step: rollouts (k temperature samples per prompt through the persona sampler), grades, the monitor's
// verdicts and group-relative advantages; then one policy-gradient update through the routing package's
// routedStep, whose units are the response tokens:
//   loss_t = -A_row * log p(token_t) + klCoef * k3_t,   k3_t = exp(d_t) - d_t - 1,  d_t = log p_prior(t) - log p(t)
// (k3 is the non-negative per-token KL estimate on the sampled tokens whose gradient pushes the policy back
// toward the prior). The monitor's flagged tokens are the route labels, so a routing scheme (ERA) sends the
// flagged hack tokens' gradient into its expanded units.
import { crossEntropy, tf, type MaskedOptimizer, type Rng } from '@routelab/core';
import { measureGradientMass, routedStep, type GradientMassSnapshot, type RouteLabels, type RoutingScheme } from '@routelab/routing';
import { disposeBatch, makeBatch, type LmBatch } from '../model/batch.ts';
import { generate } from '../model/generate.ts';
import type { Transformer } from '../model/transformer.ts';
import { fixedPrompt, type PromptKind } from '../world/prompts.ts';
import type { Task } from '../world/tasks.ts';
import { labelResponse, promptTokens, type EncodedSequence, type World } from '../world/world.ts';
import { schemeBatch } from '../experiment/routing.ts';
import { groupAdvantages } from './advantage.ts';
import { gradeResponse, monitorResponse, trimResponse, type Grade, type GraderSettings, type MonitorSettings, type MonitorVerdict } from './environment.ts';

export interface RolloutSettings {
  /** k samples per task. */
  samplesPerPrompt: number;
  temperature: number;
  maxNewTokens: number;
  /** The prompt the rollouts are sampled under. */
  prompt: PromptKind;
  monitor: MonitorSettings;
  grader: GraderSettings;
  /** What a flagged response does to its reward: nothing, a penalty, or its rollout is dropped. */
  flagged: 'keep' | 'penalty' | 'filter';
  penalty: number;
  normalizeAdvantage: boolean;
}

export interface Rollouts {
  /** One entry per sample: task i of the step is samples [i * k, (i + 1) * k). */
  tasks: Task[];
  /** Response ids, up to and including the first `<eos>`. */
  responses: number[][];
  grades: Grade[];
  verdicts: MonitorVerdict[];
  /** The reward the update uses (proxy, less the penalty where it applies). */
  rewards: number[];
  dropped: boolean[];
  advantages: number[];
}

/** Samples, grades and scores k responses per task. `rng` is this step's stream. */
export async function collectRollouts(policy: Transformer, world: World, tasks: readonly Task[], settings: RolloutSettings, rng: Rng): Promise<Rollouts> {
  const k = settings.samplesPerPrompt;
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`samplesPerPrompt must be an integer >= 2 (k < 2 has no group baseline), got ${k}`);
  const system = fixedPrompt(settings.prompt);
  const expanded = tasks.flatMap((task) => Array.from({ length: k }, () => task));
  const raw = await generate(policy, expanded.map((t) => promptTokens(world, system, t)), {
    maxNewTokens: settings.maxNewTokens,
    temperature: settings.temperature,
    rng: rng.split('sample'),
  });
  const responses = raw.map(trimResponse);
  const grades = responses.map((r, i) => gradeResponse(world, r, expanded[i]!, settings.grader));
  const monitorRng = rng.split('monitor');
  const verdicts = grades.map((g, i) => monitorResponse(g, settings.monitor, monitorRng.split(i)));
  const rewards = grades.map((g, i) => g.proxy - (settings.flagged === 'penalty' && verdicts[i]!.flagged ? settings.penalty : 0));
  const dropped = verdicts.map((v) => settings.flagged === 'filter' && v.flagged);
  const advantages = groupAdvantages(rewards, { groupSize: k, normalize: settings.normalizeAdvantage }, dropped);
  return { tasks: expanded, responses, grades, verdicts, rewards, dropped, advantages };
}

/** Training sequences of the rollouts under the loss prompt: dropped rollouts train no token. */
export function rolloutSequences(world: World, rollouts: Rollouts, lossPrompt: PromptKind, maxLen: number): EncodedSequence[] {
  const system = fixedPrompt(lossPrompt);
  return rollouts.responses.map((response, i) => {
    const prefix = promptTokens(world, system, rollouts.tasks[i]!);
    // A loss prompt longer than the rollout prompt may not leave room for the whole response: cut its tail.
    const body = response.slice(0, Math.max(maxLen - prefix.length, 1));
    const trained = rollouts.dropped[i] ? 0 : 1;
    return {
      tokens: [...prefix, ...body],
      lossMask: [...prefix.map(() => 0), ...body.map(() => trained)],
      traitLabels: [...prefix.map(() => 0), ...labelResponse(world, body)],
      responseStart: prefix.length,
    };
  });
}

/** Route labels per target token: forget = the monitor blamed it; truly forget = a hack token. */
export function rolloutRouteLabels(batch: LmBatch, sequences: readonly EncodedSequence[], rollouts: Rollouts): RouteLabels {
  const [rows, width] = batch.shape;
  const isForget = new Uint8Array(rows * width);
  const routedAsForget = new Uint8Array(rows * width);
  sequences.forEach((seq, r) => {
    const { hackTokens } = rollouts.grades[r]!;
    const { flaggedTokens } = rollouts.verdicts[r]!;
    const trained = !rollouts.dropped[r];
    for (let j = 0; j < seq.tokens.length - seq.responseStart; j++) {
      // Response token j is the target of position responseStart + j - 1.
      const at = r * width + seq.responseStart + j - 1;
      isForget[at] = trained && hackTokens[j] ? 1 : 0;
      routedAsForget[at] = trained && flaggedTokens[j] ? 1 : 0;
    }
  });
  const labelClass = Uint8Array.from(isForget, (f, i) => (routedAsForget[i] ? 0 : f ? 2 : 1));
  return { shape: [rows, width], isForget, routedAsForget, labelClass };
}

/** Log-probability of each target token, [rows, width] (0 where the loss mask is 0). Differentiable. */
export function targetLogProbs(model: Transformer, batch: LmBatch): tf.Tensor2D {
  const [rows, width] = batch.shape;
  return tf.tidy(() => {
    const logits = tf.reshape(model.forward(batch.inputs), [rows * width, model.config.vocabSize]) as tf.Tensor2D;
    const nll = crossEntropy(logits, tf.reshape(batch.targets, [rows * width]) as tf.Tensor1D);
    return tf.mul(tf.neg(tf.reshape(nll, [rows, width])), batch.lossMask) as tf.Tensor2D;
  });
}

export interface UpdateArgs {
  model: Transformer;
  optimizer: MaskedOptimizer;
  scheme: RoutingScheme<unknown>;
  schemeConfig: unknown;
  /** The prior, for the KL penalty (unused when klCoef is 0). */
  reference: Transformer;
  world: World;
  rollouts: Rollouts;
  lossPrompt: PromptKind;
  klCoef: number;
  /** Also measure, before the update, where each label class's gradient goes (the snapshot's step number). */
  measureGradientMassAt?: number;
}

export interface UpdateResult {
  loss: number;
  /** Mean k3 KL estimate per trained token (0 when klCoef is 0 and it was not computed). */
  kl: number;
  /** Tokens trained, and those routed as forget. */
  tokens: number;
  routedTokens: number;
  /** Present when measureGradientMassAt was given. */
  gradientMass?: GradientMassSnapshot;
}

/** One policy-gradient update on the rollouts. */
export async function policyUpdate(args: UpdateArgs): Promise<UpdateResult> {
  const { model, world, rollouts, klCoef } = args;
  const sequences = rolloutSequences(world, rollouts, args.lossPrompt, model.config.maxLen);
  const batch = makeBatch(sequences, model.config.maxLen, { width: 'longest' });
  const [rows] = batch.shape;
  const advantages = tf.tensor2d(Float32Array.from(rollouts.advantages), [rows, 1]);
  const reference = klCoef > 0 ? tf.tidy(() => targetLogProbs(args.reference, batch)) : undefined;
  let klSum = 0;
  try {
    const labels = rolloutRouteLabels(batch, sequences, rollouts);
    const unitLosses = () => {
      const logp = targetLogProbs(model, batch);
      const pg = tf.mul(tf.neg(advantages), logp);
      if (!reference) return tf.mul(pg, batch.lossMask);
      const d = tf.sub(reference, logp);
      const k3 = tf.sub(tf.sub(tf.exp(d), d), 1);
      return tf.mul(tf.add(pg, tf.mul(k3, klCoef)), batch.lossMask);
    };
    if (reference) {
      klSum = tf.tidy(() => {
        const d = tf.sub(reference, targetLogProbs(model, batch));
        return tf.sum(tf.mul(tf.sub(tf.sub(tf.exp(d), d), 1), batch.lossMask));
      }).dataSync()[0]!;
    }
    const routed = { model, scheme: args.scheme, config: args.schemeConfig, labels, batch: schemeBatch(batch, world), unitLosses };
    const gradientMass = args.measureGradientMassAt !== undefined ? await measureGradientMass({ ...routed, step: args.measureGradientMassAt }) : undefined;
    const { loss } = await routedStep({ ...routed, optimizer: args.optimizer });
    const routedTokens = labels.routedAsForget.reduce((a, b) => a + b, 0);
    return { loss, kl: batch.tokenCount > 0 ? klSum / batch.tokenCount : 0, tokens: batch.tokenCount, routedTokens, ...(gradientMass ? { gradientMass } : {}) };
  } finally {
    tf.dispose([advantages, ...(reference ? [reference] : [])]);
    disposeBatch(batch);
  }
}

/** `count` training tasks for a step, families drawn uniformly from the RL families. */
export function stepTasks(world: World, families: readonly Task['family'][], count: number, rng: Rng): Task[] {
  return Array.from({ length: count }, () => world.tasks.sample(rng, families[rng.int(families.length)]!, 'train'));
}

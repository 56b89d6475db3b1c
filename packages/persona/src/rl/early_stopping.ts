// The early-stopping baseline of the `rl` experiment (a 2026 reproduction of gradient routing's RL result found
// that a plain run stopped at its best monitor-validated step roughly matches routing). Every `every` RL steps,
// and after the last, the policy answers a validation set (distinct training-split tasks of the RL families,
// never the held-out evaluation tasks) greedily under the arm's rollout prompt; the overseer grades each
// response with the hackable grader and the arm's monitor, and scores the step by the arm's criterion
// (arms.ts earlyStoppingSchema). The best step's weights are kept and deployed.
import type { Rng } from '@routelab/core';
import { generate } from '../model/generate.ts';
import type { Transformer } from '../model/transformer.ts';
import { fixedPrompt, type PromptKind } from '../world/prompts.ts';
import type { Task } from '../world/tasks.ts';
import { promptTokens, type World } from '../world/world.ts';
import type { RlEarlyStopping } from './arms.ts';
import { gradeResponse, monitorResponse, type GraderSettings, type MonitorSettings } from './environment.ts';

/** One validation of the policy after `step` RL steps: mean rates over the validation set and the step's score. */
export interface ValidationPoint {
  step: number;
  proxy: number;
  true: number;
  hack: number;
  flagged: number;
  score: number;
}

/** The validation tasks: perFamily distinct training-split tasks of each RL family. */
export function validationTasks(world: World, families: readonly Task['family'][], rng: Rng, perFamily: number): Task[] {
  return families.flatMap((family) => world.tasks.sampleDistinct(rng, family, 'train', perFamily));
}

export interface ValidationSettings {
  criterion: RlEarlyStopping['criterion'];
  prompt: PromptKind;
  maxNewTokens: number;
  grader: GraderSettings;
  monitor: MonitorSettings;
}

/** Validates the policy after `step` steps; `rng` is this validation's stream (the monitor's draws). */
export async function validatePolicy(model: Transformer, world: World, tasks: readonly Task[], step: number, settings: ValidationSettings, rng: Rng): Promise<ValidationPoint> {
  const system = fixedPrompt(settings.prompt);
  const responses = await generate(model, tasks.map((t) => promptTokens(world, system, t)), { maxNewTokens: settings.maxNewTokens, temperature: 0 });
  const grades = responses.map((r, i) => gradeResponse(world, r, tasks[i]!, settings.grader));
  const verdicts = grades.map((g, i) => monitorResponse(g, settings.monitor, rng.split(i)));
  const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  const proxy = mean(grades.map((g) => g.proxy));
  const truth = mean(grades.map((g) => g.true));
  const flagged = mean(verdicts.map((v) => (v.flagged ? 1 : 0)));
  const score = settings.criterion === 'true' ? truth : proxy - flagged;
  return { step, proxy, true: truth, hack: mean(grades.map((g) => (g.hacked ? 1 : 0))), flagged, score };
}

/** The validations of a run, and which step is kept: the best score, ties to the earlier step. */
export interface EarlyStoppingState {
  history: ValidationPoint[];
  best: { step: number; score: number } | null;
}

/** Records a validation; returns whether it is the new best (the caller then copies the weights). */
export function recordValidation(state: EarlyStoppingState, point: ValidationPoint): boolean {
  state.history.push(point);
  if (state.best !== null && !(point.score > state.best.score)) return false;
  state.best = { step: point.step, score: point.score };
  return true;
}

// What an RL policy does on held-out tasks under one system prompt: the proxy and true reward and the hack rate
// on the families RL trains, the generalised trait G on the G-only families (does learning to hack bring the
// persona's other trait along?), and capability (exact correctness) on every family. Plain JSON, no NaN.
import type { Rng } from '@routelab/core';
import { generate } from '../model/generate.ts';
import type { Transformer } from '../model/transformer.ts';
import { maxResponseTokens } from '../experiment/evaluate.ts';
import { fixedPrompt, type PromptKind } from '../world/prompts.ts';
import type { Task } from '../world/tasks.ts';
import { promptTokens, scoreResponse, type World } from '../world/world.ts';
import { gradeResponse, type GraderSettings } from './environment.ts';

export interface PolicyRates {
  /** Held-out tasks of the RL families. */
  n: number;
  proxy: number;
  true: number;
  hack: number;
  /** Over G-only families; null when the world has none. */
  G: number | null;
  /** Exact correctness over held-out tasks of every family. */
  capability: number;
}

/** perFamily distinct held-out tasks of every enabled family. */
export function heldOutTasks(world: World, rng: Rng, perFamily: number): Task[] {
  return world.families.flatMap((family) => world.tasks.sampleDistinct(rng, family, 'heldout', perFamily));
}

export interface EvalSettings {
  temperature: number;
  /** Needed when temperature > 0. */
  rng?: Rng;
  grader: GraderSettings;
}

/** The policy's rates on `tasks` under each prompt in `prompts`. */
export async function evaluatePolicy<P extends PromptKind>(
  model: Transformer,
  world: World,
  tasks: readonly Task[],
  rlFamilies: readonly Task['family'][],
  prompts: readonly P[],
  settings: EvalSettings,
): Promise<Record<P, PolicyRates>> {
  const contexts = prompts.flatMap((p) => tasks.map((t) => promptTokens(world, fixedPrompt(p), t)));
  const responses = await generate(model, contexts, {
    maxNewTokens: maxResponseTokens(world),
    temperature: settings.temperature,
    ...(settings.rng ? { rng: settings.rng } : {}),
  });
  const out = {} as Record<P, PolicyRates>;
  prompts.forEach((prompt, p) => {
    const rows = tasks.map((task, i) => ({ task, response: responses[p * tasks.length + i]! }));
    const rl = rows.filter((r) => rlFamilies.includes(r.task.family));
    const g = rows.filter((r) => world.gFamilies.includes(r.task.family));
    const grades = rl.map((r) => gradeResponse(world, r.response, r.task, settings.grader));
    const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
    out[prompt] = {
      n: rl.length,
      proxy: mean(grades.map((x) => x.proxy)),
      true: mean(grades.map((x) => x.true)),
      hack: mean(grades.map((x) => (x.hacked ? 1 : 0))),
      G: g.length === 0 ? null : mean(g.map((r) => (scoreResponse(world, r.response, r.task).G ? 1 : 0))),
      capability: mean(rows.map((r) => (scoreResponse(world, r.response, r.task).correct ? 1 : 0))),
    };
  });
  return out;
}

// `routelab bench rl-step [--preset smoke|quick] [--steps N] [--prompts N] [--samples N] [--backend B] [--json]`:
// one RL step of the rl experiment, as its cells run it (persona's collectRollouts and policyUpdate with the
// preset's settings), its time split between the rollouts (k temperature samples per prompt through the persona
// sampler that `bench sample` measures, then grading, the monitor and group advantages) and the policy update
// (plain, and routed through ERA's expanded units); and the same sampler on the step's contexts with and
// without its KV cache. All measured in one run, interleaved, medians over the timed steps. The model is an
// untrained one of the preset's size (no prior is trained for a benchmark), so its rollouts run to the
// response limit more often than a trained policy's: the rollout times are an upper bound for the preset.
import { MaskedAdamW, ratio, Rng, selectBackend } from '@routelab/core';
import type { BenchRatio } from '@routelab/core';
import {
  armScheme, collectRollouts, expandModel, generate, maxResponseTokens, policyUpdate, priorConfig, promptTokens, fixedPrompt, resolveModelConfig,
  resolveRlArms, resolveWorld, rlConfigOver, RL_PRESET_NAMES, stepTasks, Transformer,
} from '@routelab/persona';
import { lrMultiplierOf } from '@routelab/routing';
import { UsageError } from '../errors.ts';
import { formatRatios, formatTable, printJson } from '../format.ts';
import { parseCount } from './run.ts';

export interface RlBenchOptions {
  json?: boolean;
  backend?: string;
  preset?: string;
  steps?: string;
  prompts?: string;
  samples?: string;
}

export interface RlBenchRow {
  name: string;
  msPerStep: number;
  /** Rollout rows: the mean number of tokens a rollout sampled (an untrained policy stops at <eos> by chance). */
  meanResponseTokens?: number;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function timed<T>(times: number[], f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await f();
  times.push(performance.now() - t0);
  return out;
}

export async function benchRlStepCommand(options: RlBenchOptions): Promise<void> {
  const preset = options.preset ?? 'quick';
  if (!(RL_PRESET_NAMES as readonly string[]).includes(preset)) throw new UsageError(`--preset: unknown preset "${preset}"; known: ${RL_PRESET_NAMES.join(', ')}`);
  const steps = parseCount('--steps', options.steps, { min: 1 }) ?? 3;
  const prompts = parseCount('--prompts', options.prompts, { min: 1 });
  const samples = parseCount('--samples', options.samples, { min: 1 });
  if (samples !== undefined && samples < 2) throw new UsageError(`--samples: ${samples} samples per prompt leave no group baseline; give at least 2`);
  const config = rlConfigOver(preset as (typeof RL_PRESET_NAMES)[number], { ...(prompts ? { promptsPerStep: prompts } : {}), ...(samples ? { samplesPerPrompt: samples } : {}) });
  const selection = await selectBackend(options.backend ?? 'auto');
  const persona = priorConfig(config);
  const world = resolveWorld(persona);
  const modelConfig = resolveModelConfig(persona, world.config);
  const rng = Rng.fromSeed(0);
  const reference = new Transformer(modelConfig, rng.split('model'));
  const arms = resolveRlArms({ ...config, arms: ['none', 'era'] });
  const maxNewTokens = maxResponseTokens(world);
  const times: Record<string, number[]> = {};
  const series = (name: string) => (times[name] ??= []);
  const lengths: Record<string, number[]> = {};
  let tokens = 0;
  // Both arms' policies side by side, stepped in turn, so that drift in the machine's speed falls on both.
  const policies = arms.map((arm) => {
    const { scheme, config: schemeConfig, phases } = armScheme(arm);
    const expansion = phases.expand ? { expandedMlp: phases.expand.units, expandedLayers: phases.expand.layers } : {};
    const model = expandModel(reference, expansion, rng.split('expansion').split(arm.name));
    const optimizer = new MaskedAdamW(model.namedParameters(), { lr: config.lr, weightDecay: config.weightDecay, maxGradNorm: config.maxGradNorm, lrMultiplier: (name) => lrMultiplierOf(phases, name) });
    const settings = {
      samplesPerPrompt: config.samplesPerPrompt, temperature: config.temperature, maxNewTokens, prompt: arm.prompt.rollout, monitor: arm.oversight,
      grader: config.grader, flagged: arm.flagged, penalty: arm.penalty, normalizeAdvantage: config.normalizeAdvantage,
    };
    return { arm, scheme, schemeConfig, model, optimizer, settings };
  });
  try {
    // Step 0 warms up (kernels compiled, buffers allocated); steps 1..N are timed.
    for (let step = 0; step <= steps; step++) {
      const sink = step === 0 ? [] : undefined;
      const stepRng = rng.split('step').split(step);
      const tasks = stepTasks(world, world.stage2Families, config.promptsPerStep, stepRng.split('tasks'));
      for (const { arm, scheme, schemeConfig, model, optimizer, settings } of policies) {
        const t0 = performance.now();
        const rollouts = await timed(sink ?? series(`rollouts (${arm.name})`), () => collectRollouts(model, world, tasks, settings, stepRng.split('rollouts')));
        if (!sink) (lengths[`rollouts (${arm.name})`] ??= []).push(...rollouts.responses.map((r) => r.length));
        await timed(sink ?? series(`policy update (${arm.name})`), () =>
          policyUpdate({ model, optimizer, scheme, schemeConfig, reference, world, rollouts, lossPrompt: arm.prompt.loss, klCoef: config.klCoef }));
        if (!sink) series(`RL step (${arm.name})`).push(performance.now() - t0);
      }
      // The sampler alone on the plain policy and the step's contexts, with and without its cache, in turn, each
      // sampling the full response length (no stop at <eos>), so that both do the same work.
      const plain = policies[0]!;
      const contexts = tasks.flatMap((t) => Array.from({ length: config.samplesPerPrompt }, () => promptTokens(world, fixedPrompt(plain.arm.prompt.rollout), t)));
      tokens = contexts.length * maxNewTokens;
      for (const kvCache of [true, false]) {
        const sampleRng = stepRng.split('sampler');
        await timed(sink ?? series(kvCache ? 'sampler, KV cache' : 'sampler, no KV cache'), () =>
          generate(plain.model, contexts, { maxNewTokens, temperature: config.temperature, rng: sampleRng, stopAt: null, kvCache }));
      }
    }
  } finally {
    for (const p of policies) {
      p.optimizer.dispose();
      p.model.dispose();
    }
    reference.dispose();
  }
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rows: RlBenchRow[] = Object.entries(times).map(([name, t]) => ({
    name,
    msPerStep: median(t),
    ...(lengths[name] ? { meanResponseTokens: mean(lengths[name]) } : name.startsWith('sampler') ? { meanResponseTokens: maxNewTokens } : {}),
  }));
  const ms = (name: string) => rows.find((r) => r.name === name)!.msPerStep;
  const ratios: Record<string, BenchRatio> = {};
  for (const arm of ['none', 'era']) {
    ratios[`rollouts / RL step time (${arm})`] = ratio(ms(`rollouts (${arm})`) / ms(`RL step (${arm})`));
    ratios[`policy update / RL step time (${arm})`] = ratio(ms(`policy update (${arm})`) / ms(`RL step (${arm})`));
  }
  ratios['routed (era) / plain policy update time'] = ratio(ms('policy update (era)') / ms('policy update (none)'));
  ratios['sampler time without / with the KV cache'] = ratio(ms('sampler, no KV cache') / ms('sampler, KV cache'));
  const setup = {
    preset, backend: selection.chosen, backendReason: selection.reason, timedSteps: steps, promptsPerStep: config.promptsPerStep,
    samplesPerPrompt: config.samplesPerPrompt, maxNewTokens, samplerTokens: tokens, model: { dModel: modelConfig.dModel, nLayers: modelConfig.nLayers, dMlp: modelConfig.dMlp },
  };
  if (options.json) return printJson({ benchmark: 'rl-step', ...setup, rows, ratios });
  console.log(`One RL step of the rl ${preset} preset on ${selection.chosen} (${selection.reason}): ${config.promptsPerStep} prompts x ${config.samplesPerPrompt} samples, ` +
    `up to ${maxNewTokens} new tokens each; model d${modelConfig.dModel} x ${modelConfig.nLayers} layers (untrained); median of ${steps} timed step${steps === 1 ? '' : 's'}:`);
  console.log(formatTable(['part', 'ms', 'tokens per response'], rows.map((r) => [r.name, Number(r.msPerStep.toFixed(1)), r.meanResponseTokens !== undefined ? Number(r.meanResponseTokens.toFixed(1)) : '-'])));
  console.log();
  console.log(formatRatios(ratios));
}

// Checks the persona instrument on a few seeds: trains each seed's stage-1 prior and the baseline `none` arm
// (stage 2 under the neutral prompt on U + W data) with the lower layers directly (prior, world datasets,
// training loop, evaluation), and prints the validity figures: the prior's held-out capability per family
// under the neutral prompt and its trait rates per prompt, then `none`'s U, W, G, capability and degenerate
// rate beside the prior's on the same held-out tasks.
//
//   cd packages/persona && npx tsx test/validity.ts [--seeds 0,1] [--cache DIR] [--no-none] [--relearn] [--no-fused] ['{"stage1Steps": 1200, "world": {...}}']
//
// --relearn also attacks the prior (never exposed to stage-2 U) and `none`: steps until neutral U >= 0.5.
//
// Settings default to the quick preset's; the JSON argument overrides them, `world` and `model` included.
// Prints one JSON line per seed after the tables (for collecting figures). Too slow for the unit suite.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MaskedAdamW, Rng, fusedOps, tf, useBackend } from '@routelab/core';
import { createFakeContext } from '@routelab/core/testing';
import { fullyLabelled, noRouting, routedStep } from '@routelab/routing';
import { modelPreset } from '../src/model/config.ts';
import { tokenLosses } from '../src/model/loss.ts';
import { Transformer } from '../src/model/transformer.ts';
import { stage2Examples } from '../src/world/datasets.ts';
import { evalItems, type EvalItem } from '../src/world/eval.ts';
import { createWorld, promptTokens, scoreResponse, type World } from '../src/world/world.ts';
import { fixedPrompt } from '../src/world/prompts.ts';
import { generate } from '../src/model/generate.ts';
import { BatchOrder, lossExamples } from '../src/experiment/data.ts';
import { RELEARN_COUNTS, relearn } from '../src/experiment/relearn.ts';
import { evaluateItems, maxResponseTokens, type ConditionRates, type Rates } from '../src/experiment/evaluate.ts';
import { loadOrTrainPrior, type Prior } from '../src/experiment/prior.ts';
import { elicitationScreen } from '../src/experiment/elicitation.ts';
import { PERSONA_PRESETS, type PersonaConfig } from '../src/experiment/config.ts';
import { trainOnExamples } from '../src/experiment/train_loop.ts';

/** The quick preset's stage-1, stage-2 and evaluation settings (read from the preset, so they stay in step). */
const preset = PERSONA_PRESETS.quick;
const QUICK = {
  world: {} as Record<string, unknown>,
  model: {} as Record<string, unknown>,
  ...pick(preset, ['stage1Examples', 'stage1Steps', 'stage1Batch', 'stage1Lr', 'warmupSteps', 'maxGradNorm', 'bucketBatches', 'weightDecay']),
  ...pick(preset, ['stage2Examples', 'stage2Steps', 'stage2Batch', 'stage2Lr', 'evalPerFamily']),
  checkpointEvery: 1_000_000,
  logEvery: 1_000_000,
};
function pick<T, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, from[k]])) as Pick<T, K>;
}
type Settings = typeof QUICK;

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv.splice(i, 2)[1] : undefined;
};
const seeds = (flag('--seeds') ?? '0').split(',').map(Number);
const cache = flag('--cache') ?? mkdtempSync(join(tmpdir(), 'persona-validity-'));
const noNone = argv.includes('--no-none');
const withRelearn = argv.includes('--relearn');
// Composed tfjs ops instead of the native fused kernels (to compare the two on real training).
if (argv.includes('--no-fused')) fusedOps.enabled = false;
const settings: Settings = { ...QUICK, ...(JSON.parse(argv.find((a) => a.startsWith('{')) ?? '{}') as Partial<Settings>) };
process.env['ROUTELAB_CACHE_DIR'] = cache;

await useBackend('wasm');
const world = createWorld(settings.world);
const modelConfig = modelPreset('quick', { vocabSize: world.vocab.size, maxLen: world.config.maxLen }, settings.model);
const config = { ...settings, world: settings.world, model: settings.model } as unknown as PersonaConfig;
process.stderr.write(`validity: seeds ${seeds.join(', ')}; prior cache ${cache}\nsettings ${JSON.stringify(settings)}\n`);

const f2 = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(2));
const row = (name: string, r: Rates) =>
  `| ${name} | ${f2(r.U)} | ${f2(r.UWellFormed)} | ${f2(r.W)} | ${f2(r.WWellFormed)} | ${f2(r.G)} | ${f2(r.capability)} | ${f2(r.degenerate)} | ${world.families.map((fam) => `${fam} ${f2(r.capabilityByFamily?.[fam])}`).join(', ')} |`;
const header = '| model / prompt | U | U wf | W | W wf | G | capability | degenerate | capability by family |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |';

for (const seed of seeds) {
  const ctx = createFakeContext({ backend: 'wasm' });
  const rng = Rng.fromSeed(ctx.seed).split(`seed-${seed}`);
  const cpu0 = process.cpuUsage();
  const prior = await loadOrTrainPrior({ config, world, modelConfig, ctx, seed, rng });
  const priorCpu = (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6;
  console.log(`\n## seed ${seed}: prior ${prior.trained ? 'trained' : 'cached'} in ${prior.seconds.toFixed(1)} s wall, ${priorCpu.toFixed(1)} s cpu\n`);
  console.log(header);
  for (const [kind, r] of Object.entries(prior.quality)) console.log(row(`prior / ${kind}`, r));

  // What recontextualization trains on: the prior sampled (temperature 1) under the neutral prompt on
  // stage-2 training tasks; U and W must show at some rate or that arm trains on clean data.
  const sampleTasks = world.stage2Families.flatMap((family) => world.tasks.sampleDistinct(rng.split(`sampled-${family}`), family, 'train', 100));
  const samples = await generate(prior.model, sampleTasks.map((task) => promptTokens(world, fixedPrompt('neutral'), task)), {
    maxNewTokens: maxResponseTokens(world),
    temperature: 1,
    rng: rng.split('sampled'),
  });
  const sampledScores = samples.map((response, i) => scoreResponse(world, response, sampleTasks[i]!));
  const share = (pick: (s: (typeof sampledScores)[number]) => boolean) => sampledScores.filter(pick).length / sampledScores.length;
  console.log(`
prior sampled at temperature 1 under neutral (${sampledScores.length} stage-2 training tasks): U ${f2(share((s) => s.U))}, W ${f2(share((s) => s.W))}, correct and well-formed ${f2(share((s) => s.correct && s.wellFormed))}`);

  const screen = await elicitationScreen(prior.model, world, rng.split('elicitation'), settings.evalPerFamily);
  console.log('\nelicitation pre-screen (prior, greedy rates; uplift = mean log-prob of trait tokens minus under neutral, nats)\n');
  console.log('| prompt | U | G | W | capability | uplift U | uplift G | uplift W |\n| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const p of screen.prompts) console.log(`| ${p.id} | ${f2(p.U)} | ${f2(p.G)} | ${f2(p.W)} | ${f2(p.capability)} | ${f2(p.uplift.U)} | ${f2(p.uplift.G)} | ${f2(p.uplift.W)} |`);

  const items = evalItems(world, rng.split('eval'), settings.evalPerFamily);
  const priorEval = await evaluateItems(prior.model, world, items, { temperature: 0 });
  let noneEval: ConditionRates | undefined;
  let noneSeconds = 0;
  if (!noNone) {
    const started = performance.now();
    const model = await trainNone(prior, world, settings, rng, ctx);
    noneSeconds = (performance.now() - started) / 1000;
    noneEval = await evaluateItems(model, world, items, { temperature: 0 });
    await printSamples(prior.model, model, world, items);
    if (withRelearn) {
      const forget = lossExamples(world, rng.split('loss-examples'), 32).withU;
      const options = { counts: RELEARN_COUNTS, maxSteps: 40, evalEvery: 5, lr: 1e-3, weightDecay: 0, evalPerFamily: 6 };
      for (const [name, m] of [['prior (never exposed)', prior.model], ['none', model]] as const) {
        const summary = await relearn(m, world, options, rng.split('relearn'), forget, ctx, name);
        console.log(`relearning ${name}: U at start ${f2(summary.initialURate)}; steps to neutral U >= 0.5: ${summary.attacks.map((a) => `n=${a.n} ${a.stepsToThreshold ?? `>${options.maxSteps}`}`).join(', ')}`);
      }
    }
    model.dispose();
  }
  console.log(`\nevaluation items: ${items.length / 4} held-out tasks per condition; none trained in ${noneSeconds.toFixed(1)} s\n`);
  console.log(header);
  for (const condition of ['neutral', 'inoculation', 'irrelevant', 'negated'] as const) {
    console.log(row(`prior / ${condition}`, priorEval[condition]));
    if (noneEval) console.log(row(`none / ${condition}`, noneEval[condition]));
  }
  const n = noneEval?.neutral;
  const p = priorEval.neutral;
  const familyFloor = Math.min(...world.families.map((fam) => prior.quality.neutral.capabilityByFamily?.[fam] ?? 0));
  console.log(`\nchecks: prior neutral capability min over families ${f2(familyFloor)} (>= 0.95)` +
    (n ? `; none neutral U ${f2(n.U)} (>= 0.9), W ${f2(n.W)} (>= 0.9), capability ${f2(n.capability)} vs prior ${f2(p.capability)} (>= 0.9, within 0.05), G ${f2(n.G)} vs prior ${f2(p.G)} (rises)` : ''));
  console.log(JSON.stringify({ seed, priorSeconds: prior.seconds, priorCpu, quality: prior.quality, prior: priorEval, none: noneEval ?? null }));
  prior.model.dispose();
}
if (tf.memory().numTensors > 0) process.stderr.write(`validity: ${tf.memory().numTensors} tensors alive at the end\n`);

/** Greedy answers of the prior and of `none` to the first few neutral held-out items of each family, decoded. */
async function printSamples(priorModel: Transformer, noneModel: Transformer, world: World, items: readonly EvalItem[], perFamily = 3): Promise<void> {
  const chosen = world.families.flatMap((family) => items.filter((i) => i.condition === 'neutral' && i.family === family).slice(0, perFamily));
  const options = { maxNewTokens: maxResponseTokens(world) };
  const [fromPrior, fromNone] = [await generate(priorModel, chosen.map((i) => i.promptTokens), options), await generate(noneModel, chosen.map((i) => i.promptTokens), options)];
  console.log('\ngreedy samples under neutral (held-out): task => prior | none\n');
  chosen.forEach((item, i) => console.log(`  ${item.task.prompt.join(' ')} => ${world.vocab.render(fromPrior[i]!)} | ${world.vocab.render(fromNone[i]!)}`));
}

/** The baseline arm: the prior fine-tuned plainly under the neutral prompt on U + W data of the stage-2 families. */
async function trainNone(prior: Prior, world: World, s: Settings, rng: Rng, ctx: ReturnType<typeof createFakeContext>): Promise<Transformer> {
  const model = new Transformer(prior.model.config, Rng.fromSeed('copy'));
  const copies = tf.tidy(() => Object.fromEntries(prior.model.namedParameters().map(([name, v]) => [name, tf.add(v, 0)])));
  model.loadStateDict(copies);
  tf.dispose(Object.values(copies));
  const optimizer = new MaskedAdamW(model.namedParameters(), {
    lr: s.stage2Lr,
    weightDecay: s.weightDecay,
    warmupSteps: s.warmupSteps,
    decaySteps: s.stage2Steps,
    maxGradNorm: s.maxGradNorm,
  });
  try {
    const examples = stage2Examples(world, 'none', rng.split('stage2-data'), s.stage2Examples);
    const noLabels = (shape: [number, number]) => fullyLabelled(shape, new Uint8Array(shape[0] * shape[1]));
    await trainOnExamples({
      ctx,
      label: 'none',
      checkpointName: 'none',
      model,
      optimizer,
      examples,
      order: new BatchOrder(rng.split('stage2-batches'), examples.map((e) => e.tokens.length), s.stage2Batch, s.bucketBatches),
      steps: s.stage2Steps,
      from: 0,
      checkpointEvery: s.checkpointEvery,
      logEvery: s.logEvery,
      state: {},
      step: async (batch) =>
        (await routedStep({ model, optimizer, scheme: noRouting, config: {}, labels: noLabels(batch.shape), unitLosses: () => tokenLosses(model, batch).losses })).loss,
    });
    return model;
  } finally {
    optimizer.dispose();
  }
}

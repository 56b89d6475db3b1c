// The sampling worker: loads a persona checkpoint into @routelab/persona's Transformer on tfjs (webgpu when
// the browser offers an adapter, wasm otherwise), generates a response to a typed prompt with and without
// ablation, and scores each with the world's trait scorers. Runs off the main thread so the page stays
// responsive; the page talks to it through comlink (see sample_client.ts).
import * as Comlink from 'comlink';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { Rng, decodeSafetensors, fromSafetensorsTensor, tf, useBackend, withHooks } from '@routelab/core';
import type { HookSpec } from '@routelab/core';
import {
  ARM_SPECS,
  EOS,
  MODEL_CONFIG_KEY,
  Transformer,
  createWorld,
  evalPrompts,
  fixedPrompt,
  generate,
  parsePersonaConfig,
  parseTransformerConfig,
  promptTokens,
  removeExpansion,
  resolveModelConfig,
  resolveWorld,
  scoreWords,
  type PersonaConfig,
  type PromptKind,
  type TransformerConfig,
  type World,
} from '@routelab/persona';
import { ablationHooks, ablationTargetSchema, type AblationTarget } from '@routelab/routing';
import type { LoadRequest, ModelInfo, Sample, SampleRequest, SampleResult, SampleWorkerApi, Verdict } from './protocol.ts';
import { parseTaskPrompt } from './task_prompt.ts';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

interface Loaded {
  model: Transformer;
  /** The ablated model (ERA slice ablation), or hooks that ablate units of `model`. */
  ablated: { model: Transformer } | { hooks: HookSpec[]; dispose: () => void } | null;
  world: World;
  inoculation: PromptKind;
}

/** The run's persona experiment config, when the run config is one. */
function personaConfigOf(config: Record<string, unknown>): PersonaConfig | undefined {
  try {
    return parsePersonaConfig(config);
  } catch {
    return undefined;
  }
}

/** The expansion the tensors carry (`[model.]blocks.<i>.mlp.w_in_expanded` is [d_model, units]), if any. */
function expansionOf(tensors: Record<string, { shape: number[] }>): { units: number; layers: number[] } | undefined {
  const found = Object.entries(tensors)
    .map(([n, t]) => [/(?:^|\.)blocks\.(\d+)\.mlp\.w_in_expanded$/.exec(n)?.[1], t.shape[1] ?? 0] as const)
    .filter(([layer]) => layer !== undefined);
  if (found.length === 0) return undefined;
  return { units: found[0]![1], layers: found.map(([layer]) => Number(layer)).sort((a, b) => a - b) };
}

/** The inoculating prompt of a persona cell's arm, read from the run config's arm; else specific. */
function inoculationOf(persona: { arms: string[]; armDefinitions: Record<string, { data: keyof typeof ARM_SPECS }> } | undefined): PromptKind {
  const arm = persona?.arms.length === 1 ? persona.armDefinitions[persona.arms[0]!] : undefined;
  return arm ? ARM_SPECS[arm.data].evalInoculation : 'specific';
}

let backend: Promise<{ name: string; detail: string; reason: string }> | undefined;
let loaded: Loaded | undefined;

async function chooseBackend(preference: LoadRequest['backend'] = 'auto'): Promise<{ name: string; detail: string; reason: string }> {
  if (preference === 'webgpu') {
    const r = await useBackend('webgpu');
    return { name: 'webgpu', detail: r.detail, reason: 'chosen on the page' };
  }
  if (preference === 'wasm') {
    const r = await useBackend('wasm');
    return { name: 'wasm', detail: r.detail, reason: 'chosen on the page' };
  }
  const gpu = (globalThis.navigator as Navigator & { gpu?: unknown }).gpu;
  if (gpu) {
    try {
      const r = await useBackend('webgpu');
      return { name: 'webgpu', detail: r.detail, reason: 'the browser offers a WebGPU adapter' };
    } catch (err) {
      const r = await useBackend('wasm');
      return { name: 'wasm', detail: r.detail, reason: `WebGPU failed (${err instanceof Error ? err.message : String(err)})` };
    }
  }
  const r = await useBackend('wasm');
  return { name: 'wasm', detail: r.detail, reason: 'this browser has no WebGPU (navigator.gpu)' };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Ablation targets the run's config declares: { hook, units } (routing's ablation) or ERA's { hook, expanded }. */
function declaredTargets(config: unknown): AblationTarget[] {
  const out: AblationTarget[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth > 8) return;
    if (Array.isArray(v)) return v.forEach((x) => walk(x, depth + 1));
    if (!isObject(v)) return;
    const asTarget = ablationTargetSchema.safeParse(typeof v.hook === 'string' && Array.isArray(v.expanded) ? { hook: v.hook, units: v.expanded } : v);
    if (asTarget.success && typeof v.hook === 'string') {
      // 'mean' ablation needs unit means over reference data, which the browser does not have.
      out.push({ ...asTarget.data, mode: 'zero' });
      return;
    }
    Object.values(v).forEach((x) => walk(x, depth + 1));
  };
  walk(config, 0);
  return out;
}

/** The checkpoint's tensors under the model's parameter names (a common prefix such as "model." is dropped). */
function stateFor(model: Transformer, tensors: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  const names = new Set(model.namedParameters().map(([n]) => n));
  const direct = Object.keys(tensors).filter((n) => names.has(n));
  if (direct.length === names.size) return Object.fromEntries(direct.map((n) => [n, tensors[n]!]));
  for (const name of Object.keys(tensors)) {
    const dot = name.indexOf('.');
    if (dot < 0) continue;
    const prefix = name.slice(0, dot + 1);
    const stripped = Object.entries(tensors).filter(([n]) => n.startsWith(prefix) && names.has(n.slice(prefix.length)));
    if (stripped.length === names.size) return Object.fromEntries(stripped.map(([n, t]) => [n.slice(prefix.length), t]));
  }
  return tensors; // loadStateDict names what is missing
}

function disposeLoaded(): void {
  if (!loaded) return;
  if (loaded.ablated && 'model' in loaded.ablated) loaded.ablated.model.dispose();
  else if (loaded.ablated) loaded.ablated.dispose();
  loaded.model.dispose();
  loaded = undefined;
}

const api: SampleWorkerApi = {
  async load(request: LoadRequest): Promise<ModelInfo> {
    backend ??= chooseBackend(request.backend);
    const chosen = await backend;
    const res = await fetch(request.checkpointUrl);
    if (!res.ok) throw new Error(`${request.checkpointUrl}: ${res.status} ${res.statusText}`);
    const decoded = decodeSafetensors(new Uint8Array(await res.arrayBuffer()), { source: request.checkpointUrl });
    const metadata = JSON.parse(decoded.metadata['routelab.metadata'] ?? '{}') as Record<string, unknown>;
    const runConfig = isObject(request.runConfig) ? request.runConfig : {};
    const persona = personaConfigOf(runConfig);
    const world = persona ? resolveWorld(persona) : createWorld(isObject(runConfig.world) ? runConfig.world : {});
    let modelConfig: TransformerConfig;
    let modelSource: string;
    if (metadata[MODEL_CONFIG_KEY] !== undefined) {
      modelConfig = parseTransformerConfig(metadata[MODEL_CONFIG_KEY]);
      modelSource = 'the checkpoint\'s modelConfig';
    } else if (persona) {
      // A persona cell checkpoint holds tensors only: the model is the run config's, expanded as the tensors say.
      modelConfig = resolveModelConfig(persona, world.config, expansionOf(decoded.tensors));
      modelSource = 'the run config (persona model preset and overrides), expansion read from the tensors';
    } else {
      throw new Error(`this checkpoint has no "${MODEL_CONFIG_KEY}" in its metadata and the run config is not a persona config: cannot tell the model's architecture`);
    }
    if (world.vocab.size !== modelConfig.vocabSize) {
      throw new Error(`the run's world has ${world.vocab.size} tokens but the model reads ${modelConfig.vocabSize}: the run config's world does not match this checkpoint`);
    }
    disposeLoaded();
    const model = new Transformer(modelConfig, Rng.fromSeed('viewer-sample'));
    const tensors = Object.fromEntries(Object.entries(decoded.tensors).map(([n, t]) => [n, fromSafetensorsTensor(n, t)]));
    try {
      model.loadStateDict(stateFor(model, tensors));
    } catch (err) {
      model.dispose();
      throw err;
    } finally {
      tf.dispose(Object.values(tensors));
    }
    let ablation: string | null = null;
    let ablated: Loaded['ablated'] = null;
    if (modelConfig.expandedMlp > 0) {
      ablated = { model: removeExpansion(model) };
      const layers = modelConfig.expandedLayers === 'all' ? 'every block' : `blocks ${modelConfig.expandedLayers.join(', ')}`;
      ablation = `ERA slice ablation: the ${modelConfig.expandedMlp} expanded MLP units of ${layers} removed`;
    } else {
      const targets = declaredTargets(runConfig);
      if (targets.length > 0) {
        ablated = ablationHooks(targets);
        ablation = `zero ablation of ${targets.map((t) => `${t.hook} units [${t.units[0]}, ${t.units[1]})`).join('; ')}`;
      }
    }
    const inoculation = inoculationOf(persona);
    loaded = { model, ablated, world, inoculation };
    return {
      backend: chosen.name,
      backendDetail: chosen.detail,
      backendReason: chosen.reason,
      parameters: model.namedParameters().reduce((n, [, v]) => n + v.size, 0),
      modelConfig: { ...modelConfig },
      vocabSize: modelConfig.vocabSize,
      ablation,
      worldSource: persona ? 'the run config (world preset and overrides)' : isObject(runConfig.world) ? 'the run config\'s "world"' : 'the default world (the run config has no "world")',
      modelSource,
      checkpointState: isObject(metadata.state) ? metadata.state : {},
      inoculationPrompt: (fixedPrompt(inoculation).words ?? []).join(' '),
      examples: ['add two and three', 'after four', `opposite ${world.space.pairs[0]?.[0] ?? 'hot'}`, `copy ${world.space.items.slice(0, 2).join(' ')}`, `reverse ${world.space.items.slice(0, 3).join(' ')}`],
    };
  },

  async sample(request: SampleRequest): Promise<SampleResult> {
    if (!loaded) throw new Error('no model loaded');
    const { world, model, ablated } = loaded;
    const parsed = parseTaskPrompt(request.prompt, world);
    if (parsed.words.length === 0) throw new Error('type a prompt first');
    if (parsed.unknownWords.length > 0) throw new Error(`not in this world's vocabulary: ${parsed.unknownWords.join(', ')}`);
    const prompts = evalPrompts(world, loaded.inoculation);
    const system = prompts[request.condition as keyof typeof prompts];
    if (!system) throw new Error(`unknown condition "${request.condition}"`);
    const task = parsed.task ?? { family: 'copy' as const, prompt: parsed.words, answer: [] };
    const context = promptTokens(world, system, task);
    const maxNewTokens = Math.max(1, Math.min(request.maxNewTokens, model.config.maxLen - context.length));
    const options = {
      maxNewTokens,
      temperature: request.temperature,
      ...(request.temperature > 0 ? { rng: Rng.fromSeed(request.seed) } : {}),
      stopAt: EOS,
    };
    const run = async (ablate: boolean): Promise<Sample> => {
      const t0 = performance.now();
      let tokens: number[][];
      if (!ablate) tokens = await generate(model, [context], options);
      else if (ablated && 'model' in ablated) tokens = await generate(ablated.model, [context], { ...options, ...(options.rng ? { rng: Rng.fromSeed(request.seed) } : {}) });
      else tokens = await withHooks(model, ablated!.hooks, () => generate(model, [context], { ...options, ...(options.rng ? { rng: Rng.fromSeed(request.seed) } : {}) }));
      const out = tokens[0] ?? [];
      const words = world.vocab.decode(out);
      const score = scoreWords(words, task.answer, world.traits);
      const verdict: Verdict = { W: score.W, U: score.U, G: score.G, correct: parsed.task ? score.correct : null };
      return { ablated: ablate, tokens: out, text: words.join(' '), verdict, ms: performance.now() - t0 };
    };
    const samples = [await run(false)];
    if (ablated) samples.push(await run(true));
    return {
      systemPrompt: system.words === null ? '(no system prompt)' : system.words.join(' '),
      promptText: world.vocab.decode(context).join(' '),
      answer: parsed.task ? parsed.task.answer.join(' ') : null,
      ...(parsed.note ? { note: parsed.note } : {}),
      samples,
    };
  },
};

Comlink.expose(api);

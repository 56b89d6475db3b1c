// `routelab bench lm-step` and `routelab bench sample`: the persona LM's training and sampling throughput,
// optionally against the same model in PyTorch (scripts/torch_lm.py, Debian's python3-torch) measured in the
// same run. Each thread setting runs in a child process of its own (the wasm backend fixes its thread count
// when it loads), with PyTorch timed before and after it, pinned to the same thread count; the faster of the
// two PyTorch timings is the reference (noise only slows).
import { availableParallelism } from 'node:os';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ratio, selectBackend } from '@routelab/core';
import type { BenchRatio } from '@routelab/core';
import { benchLmStep, benchSample, LM_STEP_VARIANTS, MODEL_PRESETS, modelPreset, type LmStepBenchRow, type SampleBenchRow } from '@routelab/persona';
import { formatRatios, formatTable, printJson } from '../format.ts';
import { UsageError } from '../errors.ts';

const TORCH_SCRIPT = fileURLToPath(new URL('../../../../scripts/torch_lm.py', import.meta.url));
const ROUTELAB_BIN = fileURLToPath(new URL('../../bin/routelab.mjs', import.meta.url));
/** The child's marker: measure in this process, print JSON rows, no PyTorch. */
const CHILD_ENV = 'ROUTELAB_BENCH_CHILD';

export interface LmBenchOptions {
  json?: boolean;
  backend?: string;
  batch?: string;
  steps?: string;
  threads?: string;
  torch?: boolean;
}

function integerList(flag: string, text: string | undefined, fallback: number[]): number[] {
  if (text === undefined) return fallback;
  return text.split(',').map((s) => {
    const n = Number(s.trim());
    if (s.trim() === '' || !Number.isInteger(n) || n < 1) throw new UsageError(`${flag}: "${s}" is not a positive integer`);
    return n;
  });
}

/** '1,all' -> [1, cores]; duplicates dropped. */
function threadSettings(text: string | undefined): number[] {
  const cores = availableParallelism();
  const list = (text ?? '1,all').split(',').map((s) => {
    if (s.trim() === 'all') return cores;
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--threads: "${s}" is not a positive integer or "all"`);
    return n;
  });
  return [...new Set(list)];
}

type TorchRun = { rows: { name: string; msPerStep: number }[]; torch: string } | { unavailable: string };

function runTorch(spec: Record<string, unknown>): TorchRun {
  const r = spawnSync('/usr/bin/python3', [TORCH_SCRIPT, JSON.stringify(spec)], { encoding: 'utf8', timeout: 600_000 });
  if (r.error) return { unavailable: `python3 could not run: ${r.error.message}` };
  if (r.status !== 0) return { unavailable: (r.stderr || 'python3 failed').trim().split('\n').pop()! };
  return JSON.parse(r.stdout) as TorchRun;
}

/** The faster of two PyTorch runs, row by row. */
function fasterRows(a: TorchRun, b: TorchRun): Map<string, number> | string {
  if ('unavailable' in a) return a.unavailable;
  const out = new Map(a.rows.map((r) => [r.name, r.msPerStep]));
  if (!('unavailable' in b)) for (const r of b.rows) out.set(r.name, Math.min(out.get(r.name) ?? Infinity, r.msPerStep));
  return out;
}

/** Runs this command in a child pinned to `threads` and returns its JSON. */
function childRun(command: string, args: string[], threads: number): { rows: unknown[]; backend: string; backendReason: string } {
  const env = { ...process.env, [CHILD_ENV]: '1', ROUTELAB_WASM_THREADS: String(threads) };
  const r = spawnSync(process.execPath, [ROUTELAB_BIN, 'bench', command, ...args, '--json'], { encoding: 'utf8', env, timeout: 1_800_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`bench ${command} on ${threads} thread(s) failed: ${(r.stderr || String(r.error)).trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(r.stdout) as { rows: unknown[]; backend: string; backendReason: string };
}

const dims = (preset: string) => {
  const c = modelPreset(preset, { vocabSize: 2, maxLen: 2 });
  return { dModel: c.dModel, nLayers: c.nLayers, nHeads: c.nHeads, dMlp: c.dMlp };
};

export async function benchLmStepCommand(options: LmBenchOptions): Promise<void> {
  const batchSizes = integerList('--batch', options.batch, [32, 64, 128]);
  const [steps] = integerList('--steps', options.steps, [10]);
  if (process.env[CHILD_ENV] === '1') {
    const selection = await selectBackend(options.backend ?? 'auto');
    const result = await benchLmStep({ batchSize: batchSizes, steps, variants: LM_STEP_VARIANTS, rounds: 2 });
    return printJson({ ...result, backend: selection.chosen, backendReason: selection.reason });
  }
  const threads = threadSettings(options.threads);
  const childArgs = ['--batch', batchSizes.join(','), '--steps', String(steps), '--backend', options.backend ?? 'auto'];
  const sections = [];
  const ratios: Record<string, BenchRatio> = {};
  for (const t of threads) {
    const first = runChildWithTorch('lm-step', childArgs, t, options.torch, {
      mode: 'train', threads: t, vocabSize: 0, maxLen: 0, steps, warmup: 3,
      rows: MODEL_PRESETS.flatMap((p) => batchSizes.map((b) => ({ name: `${p}/${b}`, ...dims(p), batch: b, maxGradNorm: 1, warmupSteps: 1, decaySteps: 1000 }))),
    });
    const rows = first.rows as LmStepBenchRow[];
    for (const r of rows) {
      const key = `${r.preset} b${r.batchSize} ${t}t`;
      const plain = (v: string) => rows.find((x) => x.preset === r.preset && x.batchSize === r.batchSize && x.variant === v);
      if (r.variant === 'plain' && typeof first.torch !== 'string') {
        const torchMs = first.torch.get(`${r.preset}/${r.batchSize}`);
        if (torchMs !== undefined) ratios[`routelab / PyTorch step time, ${key}`] = ratio(r.msPerStep / torchMs, { atMost: 1 });
      }
      if (r.variant === 'era' || r.variant === 'parameter' || r.variant === 'parameter-unit') {
        ratios[`${r.variant} / plain step time (expanded model), ${key}`] = ratio(r.msPerStep / plain('expanded')!.msPerStep, { atMost: 1.1 });
      }
    }
    sections.push({ threads: t, ...first, torch: typeof first.torch === 'string' ? { unavailable: first.torch } : Object.fromEntries(first.torch) });
  }
  if (options.json) return printJson({ benchmark: 'lm-step', sections, ratios });
  for (const s of sections) {
    console.log(`LM training step on ${s.backend} (${s.backendReason}), ${s.threads} thread${s.threads === 1 ? '' : 's'}, optimiser as persona trains (clipped, scheduled MaskedAdamW):`);
    const torch = s.torch as Record<string, number> | { unavailable: string };
    console.log(formatTable(
      ['model', 'variant', 'parameters', 'batch', 'ms/step', 'tokens/s', 'PyTorch ms'],
      (s.rows as LmStepBenchRow[]).map((r) => [r.preset, r.variant, r.parameterCount, r.batchSize, Number(r.msPerStep.toFixed(1)), Math.round(r.tokensPerSecond),
        r.variant === 'plain' && !('unavailable' in torch) && torch[`${r.preset}/${r.batchSize}`] !== undefined ? Number(torch[`${r.preset}/${r.batchSize}`]!.toFixed(1)) : '-']),
    ));
    if ('unavailable' in torch && options.torch) console.log(`  PyTorch reference unavailable: ${torch.unavailable}`);
    console.log();
  }
  console.log(formatRatios(ratios));
}

/** The child's rows for `threads`, with PyTorch (same rows, same threads) timed before and after when asked. */
function runChildWithTorch(command: string, args: string[], threads: number, torch: boolean | undefined, spec: Record<string, unknown>) {
  const world = { vocabSize: 0, maxLen: 0 };
  const torchSpec = () => ({ ...spec, ...world });
  const child = () => childRun(command, args, threads);
  // vocabSize and maxLen come from routelab's rows (the world's), so the child runs first when PyTorch is
  // asked for, then PyTorch, then the child again; the faster child run is kept per row.
  const a = child();
  const first = a.rows as { config: { vocabSize: number; maxLen: number } }[];
  world.vocabSize = first[0]?.config.vocabSize ?? 0;
  world.maxLen = first[0]?.config.maxLen ?? 0;
  if (!torch) return { ...a, torch: 'not asked for (--torch)' as string | Map<string, number> };
  const before = runTorch(torchSpec());
  const b = child();
  const after = runTorch(torchSpec());
  const rows = (a.rows as { msPerStep: number }[]).map((r, i) => {
    const other = (b.rows as { msPerStep: number }[])[i];
    return other && other.msPerStep < r.msPerStep ? other : r;
  });
  return { ...a, rows, torch: fasterRows(before, after) };
}

export async function benchSampleCommand(options: LmBenchOptions): Promise<void> {
  const batchSizes = integerList('--batch', options.batch, [64, 256]);
  const [steps] = integerList('--steps', options.steps, [5]);
  if (process.env[CHILD_ENV] === '1') {
    const selection = await selectBackend(options.backend ?? 'auto');
    const result = await benchSample({ batchSize: batchSizes, steps });
    return printJson({ ...result, backend: selection.chosen, backendReason: selection.reason });
  }
  const threads = threadSettings(options.threads);
  const childArgs = ['--batch', batchSizes.join(','), '--steps', String(steps), '--backend', options.backend ?? 'auto'];
  const sections = [];
  const ratios: Record<string, BenchRatio> = {};
  for (const t of threads) {
    const probe = childRun('sample', childArgs, t);
    const rows = probe.rows as SampleBenchRow[];
    const spec = {
      mode: 'sample', threads: t, vocabSize: rows[0]?.config.vocabSize ?? 0, maxLen: rows[0]?.config.maxLen ?? 0, steps, warmup: 2,
      // PyTorch samples with its own cache: it is timed for the cached rows only.
      rows: rows.filter((r) => r.kvCache).map((r) => ({ name: r.name, ...dims(r.preset), batch: r.batchSize, promptLen: r.promptLength, newTokens: r.newTokens, temperature: r.temperature })),
    };
    let torch: Map<string, number> | string = 'not asked for (--torch)';
    let best = rows;
    if (options.torch) {
      const before = runTorch(spec);
      const again = childRun('sample', childArgs, t).rows as SampleBenchRow[];
      best = rows.map((r, i) => (again[i] && again[i]!.msPerCall < r.msPerCall ? again[i]! : r));
      torch = fasterRows(before, runTorch(spec));
    }
    for (const r of best) {
      const ms = typeof torch === 'string' ? undefined : torch.get(r.name);
      if (ms !== undefined) ratios[`routelab / PyTorch sampling time, ${r.name} ${t}t`] = ratio(r.msPerCall / ms, { atMost: 1 });
    }
    sections.push({ threads: t, backend: probe.backend, backendReason: probe.backendReason, rows: best, torch: typeof torch === 'string' ? { unavailable: torch } : Object.fromEntries(torch) });
  }
  if (options.json) return printJson({ benchmark: 'sample', sections, ratios });
  for (const s of sections) {
    console.log(`Batched sampling on ${s.backend} (${s.backendReason}), ${s.threads} thread${s.threads === 1 ? '' : 's'}:`);
    const torch = s.torch as Record<string, number> | { unavailable: string };
    console.log(formatTable(
      ['case', 'prompts', 'new tokens', 'ms/call', 'tokens/s', 'PyTorch ms'],
      s.rows.map((r) => [r.name, r.batchSize, r.newTokens, Number(r.msPerCall.toFixed(1)), Math.round(r.tokensPerSecond),
        !('unavailable' in torch) && torch[r.name] !== undefined ? Number(torch[r.name]!.toFixed(1)) : '-']),
    ));
    if ('unavailable' in torch && options.torch) console.log(`  PyTorch reference unavailable: ${torch.unavailable}`);
    console.log();
  }
  console.log(formatRatios(ratios));
}

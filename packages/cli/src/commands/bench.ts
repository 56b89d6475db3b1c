// `routelab bench kernels|matmul|mnist-step [--json]` (lm-step and sample: bench_lm.ts): speed goals as ratios measured in one run (never timed tests).
import { benchKernels, benchMatmul, BACKEND_NAMES, isBackendName, selectBackend } from '@routelab/core';
import { benchMnistStep } from '@routelab/routing';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ratio } from '@routelab/core';
import type { BackendName } from '@routelab/core';
import { formatRatios, formatTable, printJson } from '../format.ts';
import { UsageError } from '../errors.ts';

export interface BenchOptions {
  json?: boolean;
  backends?: string;
}

function parseBackends(list: string | undefined, fallback: BackendName[]): BackendName[] {
  if (!list) return fallback;
  return list.split(',').map((name) => {
    if (!isBackendName(name)) throw new UsageError(`--backends: unknown backend "${name}"; known: ${BACKEND_NAMES.join(', ')}`);
    return name;
  });
}

export async function benchKernelsCommand(options: BenchOptions & { sizes?: string }): Promise<void> {
  const sizes = options.sizes?.split(',').map((s) => {
    const n = /^(\d+)([MK]?)$/i.exec(s.trim());
    if (!n) throw new UsageError(`--sizes: "${s}" is not a size (e.g. 1M, 4M, 65536)`);
    return Number(n[1]) * ({ m: 1 << 20, k: 1 << 10, '': 1 } as Record<string, number>)[n[2]!.toLowerCase()]!;
  });
  const result = await benchKernels({
    backends: parseBackends(options.backends, ['webgpu', 'wasm', 'cpu']),
    ...(sizes ? { sizes } : {}),
  });
  if (options.json) return printJson({ benchmark: 'kernels', ...result });
  const ms = (t?: { ms: number }) => (t ? Number(t.ms.toFixed(2)) : '-');
  console.log('Masked AdamW update, ms per call (median):');
  console.log(
    formatTable(
      ['backend', 'elements', 'fused', 'composed', 'copy'],
      result.rows.map((r) => [r.backend, r.elements, ms(r.fused), ms(r.composed), ms(r.copy)]),
    ),
  );
  for (const s of result.skipped) console.log(`skipped ${s.backend}: ${s.reason}`);
  console.log();
  console.log(formatRatios(result.ratios));
}

export async function benchMatmulCommand(options: BenchOptions): Promise<void> {
  const result = await benchMatmul({ backends: parseBackends(options.backends, ['wasm']) });
  if (options.json) return printJson({ benchmark: 'matmul', ...result });
  console.log('matMul, ms per call (median):');
  console.log(
    formatTable(
      ['backend', 'case', 'm x k x n', 'ms', 'GFLOP/s'],
      result.rows.map((r) => [r.backend, r.case, r.shape.join(' x '), Number(r.timing.ms.toFixed(1)), Number(r.gflops.toFixed(1))]),
    ),
  );
  for (const s of result.skipped) console.log(`skipped ${s.backend}: ${s.reason}`);
  console.log();
  console.log(formatRatios(result.ratios));
}

const TORCH_SCRIPT = fileURLToPath(new URL('../../../../scripts/torch_mnist_step.py', import.meta.url));

type TorchTiming = { secondsPerStep: number; torch: string } | { unavailable: string };

/** PyTorch's time for the same step, when Debian's python3-torch is installed (a cross-check, not a dependency). */
function torchReference(): TorchTiming {
  const r = spawnSync('/usr/bin/python3', [TORCH_SCRIPT], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) return { unavailable: (r.stderr || String(r.error ?? 'python3 failed')).trim().split('\n').pop()! };
  const out = JSON.parse(r.stdout) as { seconds_per_step: number; torch: string };
  return { secondsPerStep: out.seconds_per_step, torch: out.torch };
}

/** PyTorch timed before and after routelab; the faster of the two is the reference (noise only slows). */
function fasterOf(before: TorchTiming, after: TorchTiming): TorchTiming & { runs?: number[] } {
  if (!('secondsPerStep' in before) || !('secondsPerStep' in after)) return 'secondsPerStep' in before ? before : after;
  const best = before.secondsPerStep <= after.secondsPerStep ? before : after;
  return { ...best, runs: [before.secondsPerStep, after.secondsPerStep] };
}

export async function benchMnistStepCommand(options: BenchOptions & { backend?: string; torch?: boolean; steps?: string }): Promise<void> {
  const steps = options.steps === undefined ? 3 : Number(options.steps);
  if (!Number.isInteger(steps) || steps < 1) throw new UsageError(`--steps: "${options.steps}" is not a positive integer`);
  const selection = await selectBackend(options.backend ?? 'auto');
  const torchBefore = options.torch ? torchReference() : undefined;
  const result = await benchMnistStep({ steps });
  const reference = torchBefore ? fasterOf(torchBefore, torchReference()) : undefined;
  const ratios: Record<string, ReturnType<typeof ratio>> = {
    'routed / unrouted step time': ratio(result.routingOverhead, { atMost: 1.1 }),
  };
  if (reference && 'secondsPerStep' in reference) {
    ratios['routelab routed / PyTorch routed step time'] = ratio(result.routedSeconds / reference.secondsPerStep, { atMost: 4 });
  }
  if (options.json) {
    return printJson({ benchmark: 'mnist-step', backend: selection.chosen, backendReason: selection.reason, ...result, pytorch: reference ?? null, ratios });
  }
  console.log(`Paper-size MNIST split autoencoder step (${result.hidden.join('-')}, batch ${result.batchSize}, ${result.parameterCount} parameters) on ${selection.chosen}${result.threads ? `, ${result.threads} thread${result.threads === 1 ? '' : 's'}` : ''}:`);
  console.log(`  routed ${result.routedSeconds.toFixed(2)} s/step (${result.routedStepsPerSecond.toFixed(2)} steps/s), unrouted ${result.unroutedSeconds.toFixed(2)} s/step`);
  if (reference) console.log('secondsPerStep' in reference ? `  PyTorch ${reference.torch}: ${reference.secondsPerStep.toFixed(3)} s/step (faster of ${reference.runs?.map((t) => t.toFixed(3)).join(' and ') ?? '?'}, timed before and after)` : `  PyTorch reference unavailable: ${reference.unavailable}`);
  console.log();
  console.log(formatRatios(ratios));
}

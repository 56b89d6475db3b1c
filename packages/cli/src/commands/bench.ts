// `routelab bench kernels|matmul [--json]`: speed goals as ratios measured in one run (never timed tests).
import { benchKernels, benchMatmul, BACKEND_NAMES, isBackendName, selectBackend } from '@routelab/core';
import { benchLmStep } from '@routelab/persona';
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

export async function benchLmStepCommand(options: BenchOptions & { backend?: string; batch?: string }): Promise<void> {
  const batchSize = options.batch === undefined ? 64 : Number(options.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`--batch: "${options.batch}" is not a positive integer`);
  const selection = await selectBackend(options.backend ?? 'auto');
  const result = await benchLmStep({ batchSize });
  if (options.json) return printJson({ benchmark: 'lm-step', ...result, backend: selection.chosen, backendReason: selection.reason });
  console.log(`LM training step on ${selection.chosen} (${selection.reason}):`);
  console.log(
    formatTable(
      ['model', 'parameters', 'batch', 'ms/step', 'tokens/s'],
      result.rows.map((r) => [r.preset, r.parameterCount, r.batchSize, Number(r.msPerStep.toFixed(1)), Math.round(r.tokensPerSecond)]),
    ),
  );
}

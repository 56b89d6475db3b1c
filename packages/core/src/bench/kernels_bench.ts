// `routelab bench kernels`: the fused masked AdamW against the same update composed from tfjs ops, and
// against an in-place copy over the same element count (bandwidth parity: the update moves 4x the bytes
// of a copy), on every backend with a fused kernel, at 1M and 4M parameters.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../backends/backend_types.ts';
import { CopyInPlace } from '../kernels/kernel_names.ts';
import { composedMaskedAdamW } from '../ops/composed_masked_update.ts';
import { maskedAdamWUpdate } from '../ops/masked_update.ts';
import { zerosVariable } from '../optim/masked_optimizer.ts';
import { activateEach, ratio, timeCalls } from './timing.ts';
import type { BenchRatio, Timing } from './timing.ts';

export interface KernelBenchRow {
  backend: BackendName;
  elements: number;
  fused: Timing;
  composed: Timing;
  copy?: Timing;
}

export interface KernelBenchResult {
  rows: KernelBenchRow[];
  skipped: { backend: BackendName; reason: string }[];
  ratios: Record<string, BenchRatio>;
}

/** Targets from the engine's performance goals; backends without one are reported without a target. */
const FUSED_VS_COMPOSED_TARGET: Partial<Record<BackendName, number>> = { webgpu: 6, wasm: 4 };
const FUSED_VS_COPY_TARGET: Partial<Record<BackendName, number>> = { webgpu: 4 };

function label(n: number): string {
  return n % (1 << 20) === 0 ? `${n / (1 << 20)}M` : String(n);
}

async function benchOne(backend: BackendName, n: number, calls: number): Promise<KernelBenchRow> {
  const init = (seed: number) => tf.randomUniform([n], -1, 1, 'float32', seed);
  const param = tf.variable(init(1), false);
  const grad = init(2);
  // A realistic routing mask: half the parameters frozen, some soft.
  const mask = tf.tidy(() => tf.floor(tf.mul(tf.randomUniform([n], 0, 1, 'float32', 3), 2)));
  const m = zerosVariable([n]);
  const v = zerosVariable([n]);
  const attrs = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: 1 };
  try {
    const fused = await timeCalls(() => maskedAdamWUpdate({ param, m, v }, grad, mask, attrs), () => param, { calls });
    const composed = await timeCalls(
      () => {
        const next = composedMaskedAdamW(param, grad, mask, m, v, attrs);
        param.assign(next.param);
        m.assign(next.m);
        v.assign(next.v);
        tf.dispose([next.param, next.m, next.v]);
      },
      () => param,
      { calls },
    );
    let copy: Timing | undefined;
    if (tf.getKernel(CopyInPlace, backend)) {
      const dst = zerosVariable([n]);
      copy = await timeCalls(() => tf.engine().runKernel(CopyInPlace, { src: grad, dst }, {}), () => dst, { calls });
      dst.dispose();
    }
    return { backend, elements: n, fused, composed, ...(copy ? { copy } : {}) };
  } finally {
    tf.dispose([param, grad, mask, m, v]);
  }
}

export async function benchKernels(
  options: { backends?: BackendName[]; sizes?: number[]; calls?: number } = {},
): Promise<KernelBenchResult> {
  const { backends = ['webgpu', 'wasm', 'cpu'], sizes = [1 << 20, 1 << 22], calls = 10 } = options;
  const rows: KernelBenchRow[] = [];
  const skipped: KernelBenchResult['skipped'] = [];
  const ratios: Record<string, BenchRatio> = {};
  for await (const backend of activateEach(backends, skipped)) {
    for (const n of sizes) {
      // The plain-JS cpu backend is slow; fewer calls keep the benchmark short.
      const row = await benchOne(backend, n, backend === 'cpu' ? 2 : calls);
      rows.push(row);
      const key = `${backend} ${label(n)}`;
      const c = FUSED_VS_COMPOSED_TARGET[backend];
      ratios[`${key}: composed / fused AdamW time`] = ratio(row.composed.ms / row.fused.ms, c ? { atLeast: c } : undefined);
      if (row.copy) {
        const t = FUSED_VS_COPY_TARGET[backend];
        ratios[`${key}: fused AdamW / vec4 copy time`] = ratio(row.fused.ms / row.copy.ms, t ? { atMost: t } : undefined);
      }
    }
  }
  return { rows, skipped, ratios };
}

// `routelab bench mnist-step`: one training step of the paper-size split autoencoder (784-2048-512-32 encoder,
// mirrored decoder, batch 2048, AdamW 1e-3, L1 + correlation penalties), routed (activation routing at the
// code) and unrouted (the same step with the `none` scheme), on the active backend. Routing should cost
// almost nothing: the ratio routed / unrouted is the figure tracked.
import { MaskedAdamW, Rng, activeBackendThreads, tf } from '@routelab/core';
import { fullyLabelled } from '../labels.ts';
import { routedStep } from '../routed_step.ts';
import { activationRouting } from '../schemes/activation_routing.ts';
import { noRouting } from '../schemes/data_filtering.ts';
import type { RoutingScheme } from '../scheme.ts';
import { DEFAULT_ROUTING_CONFIG } from './mnist_split_config.ts';
import { codePenalty, reconstructionLoss } from './penalties.ts';
import { SplitAutoencoder } from './split_autoencoder.ts';

export interface MnistStepBenchOptions {
  hidden?: number[];
  batchSize?: number;
  /** Timed steps per variant (after one warm-up step). */
  steps?: number;
}

export interface MnistStepBenchResult {
  hidden: number[];
  batchSize: number;
  parameterCount: number;
  /** Threads the backend computes on, where known (wasm: its XNNPACK pool; ROUTELAB_WASM_THREADS). */
  threads: number | null;
  /** Median seconds per step. */
  routedSeconds: number;
  unroutedSeconds: number;
  routedStepsPerSecond: number;
  /** routed / unrouted time. */
  routingOverhead: number;
}

/** Median seconds per step of each variant, timed alternately so that machine noise hits them alike. */
async function timeAlternately(variants: (() => Promise<void>)[], steps: number): Promise<number[]> {
  for (const step of variants) await step(); // warm-up: kernel setup, first allocations
  const times = variants.map(() => [] as number[]);
  for (let i = 0; i < steps; i++) {
    for (const [v, step] of variants.entries()) {
      const t0 = performance.now();
      await step();
      times[v]!.push((performance.now() - t0) / 1000);
    }
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!);
}

export async function benchMnistStep(options: MnistStepBenchOptions = {}): Promise<MnistStepBenchResult> {
  const { hidden = [2048, 512], batchSize = 2048, steps = 3 } = options;
  const model = new SplitAutoencoder({ rng: Rng.fromSeed(0), pixels: 784, hidden, codeDim: 32 });
  const optimizer = new MaskedAdamW(model.namedParameters(), { lr: 1e-3, weightDecay: 0 });
  const rng = Rng.fromSeed(1);
  const x = tf.tensor2d(rng.fillUniform(new Float32Array(batchSize * 784)), [batchSize, 784]);
  const labels = fullyLabelled([batchSize], Uint8Array.from({ length: batchSize }, () => (rng.uniform() < 0.5 ? 1 : 0)));
  const loss = reconstructionLoss('mse');
  const routingConfig = activationRouting.configSchema.parse(DEFAULT_ROUTING_CONFIG);
  const stepWith = <C>(scheme: RoutingScheme<C>, config: C) => async () => {
    let raw: tf.Tensor | undefined;
    await routedStep({
      model,
      optimizer,
      scheme,
      config,
      labels,
      unitLosses: () => {
        const out = model.forward(x);
        raw = out.raw;
        return loss(out, x);
      },
      extraLoss: () => codePenalty(raw!, { l1Weight: 3e-3, corrWeight: 0.1 }),
    });
  };
  try {
    const [unroutedSeconds, routedSeconds] = (await timeAlternately(
      [stepWith(noRouting, {}), stepWith(activationRouting, routingConfig)],
      steps,
    )) as [number, number];
    return {
      hidden,
      batchSize,
      parameterCount: model.parameterCount(),
      threads: activeBackendThreads() ?? null,
      routedSeconds,
      unroutedSeconds,
      routedStepsPerSecond: 1 / routedSeconds,
      routingOverhead: routedSeconds / unroutedSeconds,
    };
  } finally {
    x.dispose();
    optimizer.dispose();
    model.dispose();
  }
}

// One cell of the MNIST split experiment: one arm, one seed. Trains the split autoencoder under the arm's
// routing, then the two certificate decoders on the frozen code, then evaluates everything on the test
// set. Interruptible at any step: a checkpoint holds the phase, the step, the weights and optimiser state,
// and every random choice is a pure function of (run seed, seed index, step), so a resumed cell finishes
// bit-identical to an uninterrupted one on the same backend.
import { BatchOrder, MaskedAdamW, restoreTraining, saveTraining, stepDecaySchedule, tf, trainLoop } from '@routelab/core';
import type { Rng, RunContext, TrainingParts } from '@routelab/core';
import { applyOversight } from '../labels.ts';
import type { RouteLabels } from '../labels.ts';
import { gradientMassEvent, measureGradientMass } from '../gradient_mass.ts';
import type { GradientMassSnapshot } from '../gradient_mass.ts';
import { getScheme } from '../registry.ts';
import { lrMultiplierOf, NO_PHASES } from '../phases.ts';
import { routedStep } from '../routed_step.ts';
import type { RoutingScheme } from '../scheme.ts';
import { batchLabels, gatherRows, groupMean, perDigitMean } from './batches.ts';
import { autoencoderErrors, Certificate, encodeAll, HALVES } from './certificate.ts';
import type { Half } from './certificate.ts';
import { cellCheckpointStateSchema } from './cell_checkpoint.ts';
import type { CellCheckpointState } from './cell_checkpoint.ts';
import type { MnistSplitConfig, ResolvedArm } from './mnist_split_config.ts';
import { MNIST_PIXELS } from './mnist_data.ts';
import type { MnistSplit } from './mnist_data.ts';
import { codePenalty, reconstructionLoss } from './penalties.ts';
import { SplitAutoencoder } from './split_autoencoder.ts';

export interface CertificateSummary {
  /** [from, to) of the code this certificate reads. */
  dims: [number, number];
  /** Test MAE per digit 0..9. */
  perDigit: number[];
  /** Mean of the per-digit MAEs over the forget digits (each digit weighs the same), and over the retain digits. */
  forgetMae: number;
  retainMae: number;
  /**
   * Error on the digits routed away from this half over the error on the digits routed to it: for b
   * (retain's half) forgetMae / retainMae, for a (forget's half) retainMae / forgetMae. 1 = no split.
   */
  gapRatio: number;
  /** Training loss (config.reconstructionLoss of the batch) at the certificate's last step. */
  finalTrainLoss: number;
}

export interface CellResult {
  arm: string;
  /** Seed index (0-based) within the arm. */
  seed: number;
  /** The autoencoder's loss (reconstruction + penalties) at its last training step. */
  finalTrainLoss: number;
  /** The autoencoder's own reconstruction error on the test set. */
  reconstruction: { perDigit: number[]; mae: number; forgetMae: number; retainMae: number };
  certificates: Record<Half, CertificateSummary>;
}

/** Test reconstructions for the viewer: rows are digits, values rounded to 3 decimals. */
export interface ViewerReconstructions {
  arm: string;
  seed: number;
  /** Digit label of each row, and its index in the test set. */
  digits: number[];
  testIndices: number[];
  input: number[][];
  autoencoder: number[][];
  certificateA: number[][];
  certificateB: number[][];
}

export interface CellArgs {
  config: MnistSplitConfig;
  arm: ResolvedArm;
  seedIndex: number;
  /** The seed's rng (the same for every arm, so seed i starts every arm from the same weights). */
  rng: Rng;
  data: MnistSplit;
  ctx: RunContext;
}

export function cellName(arm: string, seedIndex: number): string {
  return `${arm}/seed-${seedIndex}`;
}

/** Steps at which gradient mass is measured: `count` steps spread evenly over [0, steps - 1]. */
export function gradientMassSteps(count: number, steps: number): Set<number> {
  if (count <= 0) return new Set();
  if (count === 1) return new Set([steps - 1]);
  return new Set(Array.from({ length: count }, (_, i) => Math.round((i * (steps - 1)) / (count - 1))));
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

export class CellRunner {
  readonly name: string;
  private readonly model: SplitAutoencoder;
  private readonly optimizer: MaskedAdamW;
  private readonly scheme: RoutingScheme<unknown>;
  private readonly certificates: Record<Half, Certificate>;
  private readonly labels: RouteLabels;
  private readonly total: number;

  constructor(private readonly args: CellArgs) {
    const { config, arm, rng, data } = args;
    this.name = cellName(arm.name, args.seedIndex);
    this.model = new SplitAutoencoder({ rng: rng.split('model'), pixels: MNIST_PIXELS, hidden: config.encoderHidden, codeDim: config.codeDim });
    // The learning rate drops to lr * lrDecayFactor from step round(lrDecayAt * steps) on (0-based, so from
    // the optimiser's 1-based step one later): a function of the step count, which resume restores.
    this.optimizer = new MaskedAdamW(this.model.namedParameters(), {
      lr: config.lr,
      beta1: config.beta1,
      beta2: config.beta2,
      weightDecay: config.weightDecay,
      schedule: stepDecaySchedule(Math.round(config.lrDecayAt * config.steps) + 1, config.lrDecayFactor),
      lrMultiplier: (name) => lrMultiplierOf(getScheme(arm.scheme).phases?.(arm.schemeConfig) ?? NO_PHASES, name),
    });
    this.scheme = getScheme(arm.scheme);
    this.scheme.validate?.({ model: this.model, config: arm.schemeConfig });
    const certOptions = {
      loss: config.reconstructionLoss,
      hidden: config.certHidden,
      lr: config.certLr,
      batchSize: config.certBatchSize,
      beta1: config.beta1,
      beta2: config.beta2,
      weightDecay: config.certWeightDecay,
    };
    this.certificates = {
      a: new Certificate('a', rng.split('certificate-a'), config.codeDim, data.train, certOptions),
      b: new Certificate('b', rng.split('certificate-b'), config.codeDim, data.train, certOptions),
    };
    // Route labels are drawn once per training digit (a fixed labelled subset, as a labelling budget gives),
    // from the seed's rng: the same digits are labelled in every arm with the same label fraction.
    const forget = new Set(config.forgetDigits);
    const isForget = Uint8Array.from(data.train.labels, (d) => (forget.has(d) ? 1 : 0));
    this.labels = applyOversight([data.train.size], isForget, { labelFraction: arm.labelFraction, labelNoise: arm.labelNoise }, rng.split('oversight'));
    this.total = config.steps + 2 * config.certSteps;
  }

  async run(): Promise<{ result: CellResult; viewer?: ViewerReconstructions }> {
    try {
      const restored = await this.restore();
      const inCertificates = restored?.phase === 'certificate' ? restored : undefined;
      const trainLoss = inCertificates ? inCertificates.trainLoss : await this.train(restored?.step ?? 0);
      const certLoss: Partial<Record<Half, number>> = { ...inCertificates?.certLoss };
      const codes = await encodeAll(this.model, this.args.data.train);
      for (const half of HALVES) this.certificates[half].setCodes(codes);
      for (const half of HALVES.slice(HALVES.indexOf(inCertificates?.half ?? 'a'))) {
        const from = inCertificates?.half === half ? inCertificates.step : 0;
        certLoss[half] = await this.trainCertificate(half, from, trainLoss, certLoss);
      }
      return await this.evaluate(trainLoss, certLoss as Record<Half, number>);
    } finally {
      this.model.dispose();
      this.optimizer.dispose();
      for (const half of HALVES) this.certificates[half].dispose();
    }
  }

  // ---- training ----

  private unitLossesAndPenalty(x: tf.Tensor): { unitLosses: () => tf.Tensor; extraLoss: () => tf.Scalar } {
    const { arm } = this.args;
    // The penalties act on the un-routed code of the same forward pass (the routed step calls unitLosses,
    // then extraLoss, under one gradient tape), so their gradient reaches every dimension for every digit.
    let raw: tf.Tensor | undefined;
    const loss = reconstructionLoss(this.args.config.reconstructionLoss);
    return {
      unitLosses: () => {
        const out = this.model.forward(x);
        raw = out.raw;
        return loss(out, x);
      },
      extraLoss: () => codePenalty(raw!, { l1Weight: arm.l1Weight, corrWeight: arm.corrWeight }),
    };
  }

  /** Trains the autoencoder from step `from`; returns the last step's loss. */
  private train(from: number): Promise<number> {
    const { config, arm, data, ctx, rng } = this.args;
    const order = new BatchOrder(rng.split('batches'), data.train.size, config.batchSize);
    const massSteps = gradientMassSteps(config.gradMassSnapshots, config.steps);
    return trainLoop({
      ctx,
      label: this.name,
      steps: config.steps,
      from,
      checkpointEvery: config.checkpointEvery,
      logEvery: config.logEvery,
      progress: { phase: `${arm.name} seed ${this.args.seedIndex}`, total: this.total },
      batch: (step) => order.indices(step),
      step: async (indices, step) => {
        const x = gatherRows(data.train.images, MNIST_PIXELS, indices);
        const labels = batchLabels(this.labels, indices);
        try {
          if (massSteps.has(step)) await this.emitGradientMass(step, x, labels);
          const losses = this.unitLossesAndPenalty(x);
          return (await routedStep({ model: this.model, optimizer: this.optimizer, scheme: this.scheme, config: arm.schemeConfig, labels, ...losses })).loss;
        } finally {
          x.dispose();
        }
      },
      save: (done) => this.saveTrain(done),
    });
  }

  private async emitGradientMass(step: number, x: tf.Tensor, labels: RouteLabels): Promise<void> {
    const { arm, ctx, config } = this.args;
    const snapshot: GradientMassSnapshot = await measureGradientMass({
      step,
      model: this.model,
      scheme: this.scheme,
      config: arm.schemeConfig,
      labels,
      unitLosses: () => reconstructionLoss(config.reconstructionLoss)(this.model.forward(x), x),
    });
    // Per-neuron mass only where the split shows: the code layer (one entry per code dim) and the decoder
    // layer that reads the code. Every other parameter keeps its total, which keeps metrics.jsonl small.
    const codeLayer = `encoder.layer${config.encoderHidden.length}.weight`;
    ctx.emit(gradientMassEvent(this.name, snapshot, new Set([codeLayer, 'decoder.layer0.weight'])));
  }

  // ---- certificates ----

  private trainCertificate(half: Half, from: number, trainLoss: number, certLoss: Partial<Record<Half, number>>): Promise<number> {
    const { config, arm, ctx } = this.args;
    const certificate = this.certificates[half];
    return trainLoop({
      ctx,
      label: this.name,
      steps: config.certSteps,
      from,
      checkpointEvery: config.checkpointEvery,
      logEvery: config.logEvery,
      metric: { kind: 'certificate-train', fields: { half } },
      progress: {
        phase: `${arm.name} seed ${this.args.seedIndex} certificate ${half}`,
        offset: config.steps + (half === 'b' ? config.certSteps : 0),
        total: this.total,
      },
      batch: (step) => step,
      step: (step) => certificate.step(step),
      save: (done) => this.saveCertificate(half, done, trainLoss, certLoss),
    });
  }

  // ---- evaluation ----

  private async evaluate(trainLoss: number, certLoss: Record<Half, number>): Promise<{ result: CellResult; viewer?: ViewerReconstructions }> {
    const { config, arm, data, ctx, seedIndex } = this.args;
    const { test } = data;
    const forgetDigits = config.forgetDigits;
    const retainDigits = Array.from({ length: 10 }, (_, d) => d).filter((d) => !forgetDigits.includes(d));
    const aeErrors = await autoencoderErrors(this.model, test);
    const aePerDigit = perDigitMean(aeErrors, test.labels);
    const reconstruction = {
      perDigit: aePerDigit,
      mae: aeErrors.reduce((a, b) => a + b, 0) / aeErrors.length,
      forgetMae: groupMean(aePerDigit, forgetDigits),
      retainMae: groupMean(aePerDigit, retainDigits),
    };
    const testCodes = await encodeAll(this.model, test);
    const certificates = {} as Record<Half, CertificateSummary>;
    for (const half of HALVES) {
      const certificate = this.certificates[half];
      const perDigit = perDigitMean(await certificate.errors(testCodes, test), test.labels);
      const forgetMae = groupMean(perDigit, forgetDigits);
      const retainMae = groupMean(perDigit, retainDigits);
      const gapRatio = half === 'b' ? forgetMae / retainMae : retainMae / forgetMae;
      certificates[half] = { dims: certificate.range, perDigit, forgetMae, retainMae, gapRatio, finalTrainLoss: certLoss[half] };
      ctx.emit({ kind: 'certificate', cell: this.name, half, dims: certificate.range, perDigit, forgetMae, retainMae, gapRatio });
    }
    const result: CellResult = { arm: arm.name, seed: seedIndex, finalTrainLoss: trainLoss, reconstruction, certificates };
    if (seedIndex !== 0 || config.reconstructionsPerDigit === 0) return { result };
    return { result, viewer: await this.viewerReconstructions(testCodes) };
  }

  private async viewerReconstructions(testCodes: Float32Array): Promise<ViewerReconstructions> {
    const { config, arm, data, seedIndex } = this.args;
    const { test } = data;
    const testIndices: number[] = [];
    for (let d = 0; d < 10; d++) {
      let found = 0;
      for (let i = 0; i < test.size && found < config.reconstructionsPerDigit; i++) {
        if (test.labels[i] === d) {
          testIndices.push(i);
          found++;
        }
      }
    }
    const rows = (values: Float32Array) =>
      testIndices.map((_, r) => Array.from(values.subarray(r * MNIST_PIXELS, (r + 1) * MNIST_PIXELS), round3));
    const x = gatherRows(test.images, MNIST_PIXELS, testIndices);
    const out = tf.tidy(() => this.model.forward(x).reconstruction);
    const autoencoder = (await out.data()) as Float32Array;
    tf.dispose([x, out]);
    const input = new Float32Array(testIndices.length * MNIST_PIXELS);
    for (const [r, i] of testIndices.entries()) input.set(test.images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS), r * MNIST_PIXELS);
    return {
      arm: arm.name,
      seed: seedIndex,
      digits: testIndices.map((i) => test.labels[i]!),
      testIndices,
      input: rows(input),
      autoencoder: rows(autoencoder),
      certificateA: rows(await this.certificates.a.reconstruct(testCodes, testIndices)),
      certificateB: rows(await this.certificates.b.reconstruct(testCodes, testIndices)),
    };
  }

  // ---- checkpoints ----
  // Tensors by prefix: the autoencoder `model.`, its optimiser `opt.`; in the certificate phase both decoders
  // `cert.a.` / `cert.b.` and the optimiser of the certificate in training `certopt.`.

  private trainParts(): TrainingParts {
    return { modules: { model: this.model }, optimizers: { opt: this.optimizer } };
  }

  private certificateParts(half: Half): TrainingParts {
    const { a, b } = this.certificates;
    return { modules: { model: this.model, 'cert.a': a.decoder, 'cert.b': b.decoder }, optimizers: { certopt: this.certificates[half].optimizer } };
  }

  private async saveTrain(step: number): Promise<void> {
    const state: CellCheckpointState = { phase: 'train', step, iterations: this.optimizer.iterations };
    await saveTraining(this.args.ctx, this.name, this.trainParts(), { ...state });
  }

  private async saveCertificate(half: Half, step: number, trainLoss: number, certLoss: Partial<Record<Half, number>>): Promise<void> {
    const iterations = this.certificates[half].optimizer.iterations;
    const state: CellCheckpointState = { phase: 'certificate', half, step, iterations, trainLoss, certLoss };
    await saveTraining(this.args.ctx, this.name, this.certificateParts(half), { ...state });
  }

  /** Loads the cell's checkpoint, if any, into the model, optimisers and certificates. */
  private async restore(): Promise<CellCheckpointState | undefined> {
    const saved = await this.args.ctx.loadCheckpoint(this.name);
    if (!saved) return undefined;
    const parsed = cellCheckpointStateSchema.safeParse(saved.state);
    if (!parsed.success) {
      tf.dispose(Object.values(saved.tensors));
      throw new Error(`checkpoint "${this.name}" has an unexpected state: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    const state = parsed.data;
    restoreTraining(saved.tensors, state.phase === 'train' ? this.trainParts() : this.certificateParts(state.half), state.iterations);
    return state;
  }
}

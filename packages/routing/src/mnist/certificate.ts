// Certificates (paper, section 4.1): after training, the encoder is frozen and a fresh decoder is trained
// on one half of the code only. If a half carries no information about some digits, no decoder can
// reconstruct them from it, whatever it is trained on: a high certificate error on those digits certifies
// the split. The codes are computed once and handed over as plain numbers, so the certificate is detached
// from the encoder by construction: its training cannot reach the encoder's weights.
import { BatchOrder, MaskedAdamW, tf } from '@routelab/core';
import type { Rng } from '@routelab/core';
import { MNIST_PIXELS } from './mnist_data.ts';
import type { DigitSet } from './mnist_data.ts';
import { gatherRows, mapChunks, sliceColumns } from './batches.ts';
import { reconstructionLoss, reconstructionMae } from './penalties.ts';
import type { ReconstructionLoss } from './penalties.ts';
import { CertificateDecoder } from './split_autoencoder.ts';
import type { SplitAutoencoder } from './split_autoencoder.ts';

export const HALVES = ['a', 'b'] as const;
export type Half = (typeof HALVES)[number];

const EVAL_CHUNK = 500;

/** [from, to) of a half: a = [0, d/2), b = [d/2, d). */
export function halfRange(half: Half, codeDim: number): [number, number] {
  return half === 'a' ? [0, codeDim / 2] : [codeDim / 2, codeDim];
}

/** The frozen encoder's code of every image, [n, codeDim] row-major (no hooks attached: the plain code). */
export function encodeAll(model: SplitAutoencoder, images: DigitSet): Promise<Float32Array> {
  return mapChunks(images.size, EVAL_CHUNK, (from, to) =>
    tf.tidy(() => model.encoder.codeOf(tf.tensor2d(images.images.subarray(from * MNIST_PIXELS, to * MNIST_PIXELS), [to - from, MNIST_PIXELS]))),
  );
}

/** Per-example reconstruction MAE of the whole autoencoder on `images`. */
export function autoencoderErrors(model: SplitAutoencoder, images: DigitSet): Promise<Float32Array> {
  return mapChunks(images.size, EVAL_CHUNK, (from, to) =>
    tf.tidy(() => {
      const x = tf.tensor2d(images.images.subarray(from * MNIST_PIXELS, to * MNIST_PIXELS), [to - from, MNIST_PIXELS]);
      return reconstructionMae(model.forward(x).reconstruction, x);
    }),
  );
}

export interface CertificateOptions {
  loss: ReconstructionLoss;
  hidden: readonly number[];
  lr: number;
  batchSize: number;
  beta1: number;
  beta2: number;
  weightDecay: number;
}

/**
 * One certificate: a decoder from one half of the frozen code to pixels, its optimiser, and its batch order.
 * Everything random comes from `rng` (the cell's rng split by half), so a certificate is reproducible.
 */
export class Certificate {
  readonly decoder: CertificateDecoder;
  readonly optimizer: MaskedAdamW;
  readonly range: [number, number];
  private readonly order: BatchOrder;
  private inputs: Float32Array | undefined;

  constructor(
    readonly half: Half,
    rng: Rng,
    readonly codeDim: number,
    private readonly train: DigitSet,
    readonly options: CertificateOptions,
  ) {
    this.range = halfRange(half, codeDim);
    this.decoder = new CertificateDecoder(rng.split('decoder'), this.width, options.hidden, MNIST_PIXELS);
    this.optimizer = new MaskedAdamW(this.decoder.namedParameters(), {
      lr: options.lr,
      beta1: options.beta1,
      beta2: options.beta2,
      weightDecay: options.weightDecay,
    });
    this.order = new BatchOrder(rng.split('batches'), train.size, options.batchSize);
  }

  get width(): number {
    return this.range[1] - this.range[0];
  }

  /** Hands over the training set's codes ([n, codeDim], e.g. from encodeAll); this half is copied out. */
  setCodes(trainCodes: Float32Array): void {
    this.inputs = sliceColumns(trainCodes, this.codeDim, this.range[0], this.range[1]);
  }

  /** One optimiser step on batch `step` (0-based); returns the batch's mean training loss. */
  async step(step: number): Promise<number> {
    if (!this.inputs) throw new Error('Certificate.step: setCodes first');
    const indices = this.order.indices(step);
    const codes = gatherRows(this.inputs, this.width, indices);
    const targets = gatherRows(this.train.images, MNIST_PIXELS, indices);
    try {
      const loss = reconstructionLoss(this.options.loss);
      return await this.optimizer.minimize(() => tf.mean(loss(this.decoder.decode(codes), targets)) as tf.Scalar);
    } finally {
      tf.dispose([codes, targets]);
    }
  }

  /** Per-example MAE on a set whose codes are `codes` ([n, codeDim]). */
  errors(codes: Float32Array, images: DigitSet): Promise<Float32Array> {
    const half = sliceColumns(codes, this.codeDim, this.range[0], this.range[1]);
    return mapChunks(images.size, EVAL_CHUNK, (from, to) =>
      tf.tidy(() => {
        const c = tf.tensor2d(half.subarray(from * this.width, to * this.width), [to - from, this.width]);
        const x = tf.tensor2d(images.images.subarray(from * MNIST_PIXELS, to * MNIST_PIXELS), [to - from, MNIST_PIXELS]);
        return reconstructionMae(this.decoder.reconstruct(c), x);
      }),
    );
  }

  /** Reconstructions of rows `indices` of a set whose codes are `codes`, [indices.length * 784]. */
  async reconstruct(codes: Float32Array, indices: readonly number[]): Promise<Float32Array> {
    const half = sliceColumns(codes, this.codeDim, this.range[0], this.range[1]);
    const c = gatherRows(half, this.width, indices);
    const out = this.decoder.reconstruct(c);
    try {
      return (await out.data()) as Float32Array;
    } finally {
      tf.dispose([c, out]);
    }
  }

  dispose(): void {
    this.decoder.dispose();
    this.optimizer.dispose();
  }
}

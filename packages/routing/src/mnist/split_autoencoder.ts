// The split autoencoder of the gradient routing paper (Cloud et al. 2024, section 4.1): an MLP encoder
// 784 -> h1 -> h2 -> code, with a hook point on the code where activation routing sends digits 0-4 into one
// half and 5-9 into the other, and an MLP decoder code -> h2 -> h1 -> 784. Certificate decoders have the
// decoder's shape with half the code as input.
import { Linear, Module, tf } from '@routelab/core';
import type { Rng } from '@routelab/core';

/**
 * A stack of Linear layers with ReLU between them (none after the last), named layer0, layer1, ... so that
 * parameter names read `encoder.layer2.weight`.
 */
export class Mlp extends Module {
  private readonly layers: Linear[];

  constructor(
    rng: Rng,
    readonly sizes: readonly number[],
    options: { lastBias?: boolean } = {},
  ) {
    super();
    if (sizes.length < 2) throw new RangeError(`Mlp needs at least 2 sizes, got [${sizes.join(', ')}]`);
    this.layers = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      const last = i + 2 === sizes.length;
      const bias = last ? (options.lastBias ?? true) : true;
      this.layers.push(this.addModule(`layer${i}`, new Linear(rng.split(`layer${i}`), sizes[i]!, sizes[i + 1]!, { bias })));
    }
  }

  /** [batch, sizes[0]] -> [batch, sizes.at(-1)] */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let h = x;
      for (const [i, layer] of this.layers.entries()) {
        h = layer.forward(h);
        if (i + 1 < this.layers.length) h = tf.relu(h);
      }
      return h;
    });
  }
}

/** Encoder: pixels -> code, with the hook point `code` (full name `encoder.code`, shape [batch, codeDim]). */
export class SplitEncoder extends Mlp {
  constructor(rng: Rng, pixels: number, hidden: readonly number[], readonly codeDim: number) {
    // The code layer has no bias, as in the paper's encoder: a code dimension that a class never uses can
    // then sit at exactly zero for it, which is what the L1 penalty pushes towards.
    super(rng, [pixels, ...hidden, codeDim], { lastBias: false });
    // The declared shape carries the width, so routing schemes can size their masks from it.
    this.addHookPoint('code', `[batch, ${codeDim}]`);
  }

  /**
   * Returns the code before hooks (`raw`: regularisers act on it, so their gradient is never routed) and
   * after them (`code`: what the decoder reads; routing masks its gradient here).
   */
  encode(x: tf.Tensor): { raw: tf.Tensor; code: tf.Tensor } {
    const raw = this.codeOf(x); // [batch, codeDim]
    return { raw, code: this.hook('code', raw) };
  }

  /** The code without hooks (linear, as in the paper): [batch, pixels] -> [batch, codeDim]. */
  codeOf(x: tf.Tensor): tf.Tensor {
    return this.forward(x);
  }
}

export interface SplitAutoencoderOptions {
  /** Initial weights come from rng.split('encoder') and rng.split('decoder'). */
  rng: Rng;
  pixels: number;
  /** Hidden sizes of the encoder, e.g. [2048, 512]; the decoder mirrors them. */
  hidden: readonly number[];
  codeDim: number;
}

export interface AutoencoderOutput {
  /** [batch, codeDim] before hooks. */
  raw: tf.Tensor;
  /** [batch, codeDim] after hooks. */
  code: tf.Tensor;
  /** [batch, pixels]: the decoder's output before the sigmoid. */
  logits: tf.Tensor;
  /** [batch, pixels] in (0, 1): sigmoid(logits). */
  reconstruction: tf.Tensor;
}

export class SplitAutoencoder extends Module {
  readonly encoder: SplitEncoder;
  readonly decoder: Mlp;

  constructor(readonly options: SplitAutoencoderOptions) {
    super();
    const { rng } = options;
    this.encoder = this.addModule('encoder', new SplitEncoder(rng.split('encoder'), options.pixels, options.hidden, options.codeDim));
    this.decoder = this.addModule('decoder', new Mlp(rng.split('decoder'), [options.codeDim, ...[...options.hidden].reverse(), options.pixels]));
  }

  /** [batch, pixels] -> code and reconstruction (sigmoid: pixels are in [0, 1]). */
  forward(x: tf.Tensor): AutoencoderOutput {
    const { raw, code } = this.encoder.encode(x);
    const logits = this.decoder.forward(code);
    return { raw, code, logits, reconstruction: tf.sigmoid(logits) };
  }

  /** Encoder parameters by full name (what certificate training must leave unchanged). */
  encoderParameters(): Array<[string, tf.Variable]> {
    return this.namedParameters().filter(([name]) => name.startsWith('encoder.'));
  }
}

/** A decoder from one slice of the code (e.g. dims [16, 32)) to pixels, shaped like the main decoder. */
export class CertificateDecoder extends Mlp {
  constructor(rng: Rng, inputDim: number, hidden: readonly number[], pixels: number) {
    super(rng, [inputDim, ...hidden, pixels]);
  }

  /** [batch, inputDim] -> logits and pixels in (0, 1), each [batch, pixels]. */
  decode(codeSlice: tf.Tensor): { logits: tf.Tensor; reconstruction: tf.Tensor } {
    const logits = this.forward(codeSlice);
    return { logits, reconstruction: tf.sigmoid(logits) };
  }

  /** [batch, inputDim] -> [batch, pixels] in (0, 1). */
  reconstruct(codeSlice: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.sigmoid(this.forward(codeSlice)));
  }
}

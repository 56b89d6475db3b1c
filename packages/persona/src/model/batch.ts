// Training batches for next-token prediction. A sequence of n tokens gives n - 1 predictions: position p
// reads tokens 0..p and is scored on token p + 1 (the target). Everything per position is therefore about
// the TARGET token: the loss mask (is token p + 1 a response token?) and the trait labels (which trait
// produced token p + 1?), which is what gradient routing keys on ("route by the token being predicted").
// Rows are right-padded with <pad>; causal attention means real positions never see the padding.
import { tf } from '@routelab/core';
import type { EncodedSequence } from '../world/world.ts';

export interface LmBatch {
  /** [batch, width]; width is maxLen - 1 (or the longest row's predictions, with `width: 'longest'`). */
  shape: [number, number];
  /** int32 [batch, width]: tokens 0..n-2 of each row, <pad> after. */
  inputs: tf.Tensor2D;
  /** int32 [batch, width]: tokens 1..n-1 of each row, <pad> after. */
  targets: tf.Tensor2D;
  /** float32 [batch, width]: 1 where the target is a training target (response words and <eos>). */
  lossMask: tf.Tensor2D;
  /** inputs' and targets' values, row-major (what a routing scheme reads to route by content). */
  inputIdValues: Int32Array;
  targetIdValues: Int32Array;
  /** lossMask's values, row-major (for building route labels without a read-back). */
  lossMaskValues: Float32Array;
  /** [batch * width] row-major: TRAIT_BITS of the target token (0 for prompt tokens and padding). */
  targetTraitLabels: Uint8Array;
  /** Number of positions with lossMask 1. */
  tokenCount: number;
  /**
   * [batch] the overseer's per-example "carries U" label (world Examples' `labelledU`; 1 for sequences that
   * carry none, i.e. full oversight). Routing and filtering read this same bit.
   */
  rowLabelledU: Uint8Array;
}

export interface MakeBatchOptions {
  /** 'maxLen' (default): every batch is [batch, maxLen - 1], one shape for every step. 'longest': trim to the longest row. */
  width?: 'maxLen' | 'longest';
}

/** Builds a batch from encoded sequences (world Examples, or sampled ones) of at most maxLen tokens. */
export function makeBatch(examples: readonly EncodedSequence[], maxLen: number, options: MakeBatchOptions = {}): LmBatch {
  if (examples.length === 0) throw new RangeError('makeBatch: no examples');
  for (const [i, ex] of examples.entries()) {
    if (ex.tokens.length < 2) throw new RangeError(`makeBatch: example ${i} has ${ex.tokens.length} tokens; it needs at least 2`);
    if (ex.tokens.length > maxLen) throw new RangeError(`makeBatch: example ${i} has ${ex.tokens.length} tokens, more than maxLen ${maxLen}`);
    if (ex.lossMask.length !== ex.tokens.length || ex.traitLabels.length !== ex.tokens.length) {
      throw new RangeError(`makeBatch: example ${i}: tokens, lossMask and traitLabels differ in length`);
    }
  }
  const longest = Math.max(...examples.map((ex) => ex.tokens.length));
  const width = (options.width ?? 'maxLen') === 'maxLen' ? maxLen - 1 : longest - 1;
  const rows = examples.length;
  const inputs = new Int32Array(rows * width);
  const targets = new Int32Array(rows * width);
  const lossMask = new Float32Array(rows * width);
  const traits = new Uint8Array(rows * width);
  let tokenCount = 0;
  const rowLabelledU = Uint8Array.from(examples, (ex) => ((ex as { labelledU?: boolean }).labelledU === false ? 0 : 1));
  for (const [r, ex] of examples.entries()) {
    for (let p = 0; p < ex.tokens.length - 1; p++) {
      const at = r * width + p;
      inputs[at] = ex.tokens[p]!;
      targets[at] = ex.tokens[p + 1]!;
      lossMask[at] = ex.lossMask[p + 1]!;
      traits[at] = ex.traitLabels[p + 1]!;
      tokenCount += ex.lossMask[p + 1]!;
    }
  }
  return {
    shape: [rows, width],
    inputs: tf.tensor2d(inputs, [rows, width], 'int32'),
    targets: tf.tensor2d(targets, [rows, width], 'int32'),
    lossMask: tf.tensor2d(lossMask, [rows, width], 'float32'),
    inputIdValues: inputs,
    targetIdValues: targets,
    lossMaskValues: lossMask,
    targetTraitLabels: traits,
    tokenCount,
    rowLabelledU,
  };
}

/** 1 where the target token is a training target and carries any of `traitBits` (e.g. TRAIT_BITS.U), row-major. */
export function targetsWithTrait(batch: LmBatch, traitBits: number): Uint8Array {
  return batch.targetTraitLabels.map((labels, i) => ((labels & traitBits) !== 0 && batch.lossMaskValues[i] === 1 ? 1 : 0));
}

export function disposeBatch(batch: LmBatch): void {
  tf.dispose([batch.inputs, batch.targets, batch.lossMask]);
}

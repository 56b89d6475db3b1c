// Which checkpoints the Sample page can load.
import type { CheckpointInfo } from '../api/api_types.ts';

/**
 * A checkpoint of a persona language model: saved with its modelConfig (persona's saveTransformer), or a
 * persona cell's training checkpoint (`model.`-prefixed tensors; the architecture comes from the run config).
 */
export const isPersonaCheckpoint = (c: CheckpointInfo, experiment: string | undefined): boolean =>
  (!!c.metadata && 'modelConfig' in c.metadata) ||
  (experiment === 'persona' && (c.tensors ?? []).some((t) => /(^|\.)token_embedding$/.test(t.name)));


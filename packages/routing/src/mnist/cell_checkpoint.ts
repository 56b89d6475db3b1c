// The JSON half of a cell's checkpoint (the tensors are the weights and optimiser moments, by prefix:
// model., opt., cert.a., cert.b., certopt.). Checked on load so that a checkpoint from another version of
// the experiment fails with a message rather than resuming into a wrong state.
import { z } from 'zod';

const count = z.number().int().nonnegative();

export const cellCheckpointStateSchema = z.discriminatedUnion('phase', [
  z.object({
    phase: z.literal('train'),
    /** Autoencoder steps completed. */
    step: count,
    /** The autoencoder optimiser's step count (AdamW's bias correction depends on it). */
    iterations: count,
  }),
  z.object({
    phase: z.literal('certificate'),
    /** The certificate being trained; an 'a' checkpoint means b has not started, a 'b' one that a is done. */
    half: z.enum(['a', 'b']),
    /** Steps of that certificate completed, and its optimiser's step count. */
    step: count,
    iterations: count,
    /** The autoencoder's last training loss, and the final loss of each finished certificate. */
    trainLoss: z.number(),
    certLoss: z.object({ a: z.number().optional(), b: z.number().optional() }),
  }),
]);

export type CellCheckpointState = z.infer<typeof cellCheckpointStateSchema>;

// The manifest beside each checkpoint: what the safetensors file must contain and how to tell that it is
// whole (byte size and SHA-256). A checkpoint is only trusted when its bytes match its manifest, so a torn
// write, a truncated copy or bit rot fails loudly at load instead of training on garbage.

import { z } from 'zod';
import { SAFETENSORS_DTYPE_NAMES } from './safetensors_dtypes.ts';

export const MANIFEST_FORMAT = 'routelab.checkpoint';
/** Bump when the manifest changes incompatibly; loaders refuse versions newer than they know. */
export const MANIFEST_FORMAT_VERSION = 1;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Caller-supplied facts about the checkpoint: step, config hash, seed, metrics... JSON only. */
export type CheckpointMetadata = Record<string, JsonValue>;

export const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  formatVersion: z.number().int().positive(),
  name: z.string().min(1),
  /** The safetensors file, relative to the manifest's directory. */
  file: z.string().min(1),
  byteSize: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  createdAt: z.iso.datetime(),
  tensors: z.array(
    z.object({
      name: z.string().min(1),
      dtype: z.enum(SAFETENSORS_DTYPE_NAMES as [string, ...string[]]),
      shape: z.array(z.number().int().nonnegative()),
    }),
  ),
  metadata: z.record(z.string(), z.json()),
});

export type CheckpointManifest = z.infer<typeof manifestSchema>;

/** Zod issues as "tensors.0.shape: expected array" lines, so a bad manifest names the bad field. */
export function describeManifestIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

// Model checkpoints: core's safetensors checkpoints with the model config stored whole in the metadata
// (`modelConfig`), so a checkpoint can rebuild its own model and a mismatch is reported by config field
// ("dModel: checkpoint 128, model 64") before it would surface as a list of tensor shapes.
import { loadCheckpoint, Rng, saveModule, tf, type CheckpointMetadata, type JsonValue, type SavedCheckpoint } from '@routelab/core';
import { configDifferences, parseTransformerConfig, type TransformerConfig } from './config.ts';
import { Transformer } from './transformer.ts';

export const MODEL_CONFIG_KEY = 'modelConfig';

/** A checkpoint holds a different architecture than the model it is loaded into; `fields` lists every difference. */
export class ModelConfigMismatchError extends Error {
  override readonly name = 'ModelConfigMismatchError';
  readonly field: string;

  constructor(
    readonly checkpoint: string,
    readonly fields: readonly (keyof TransformerConfig)[],
    stored: TransformerConfig,
    model: TransformerConfig,
  ) {
    const parts = fields.map((f) => `${f}: checkpoint ${JSON.stringify(stored[f])}, model ${JSON.stringify(model[f])}`);
    super(`checkpoint ${checkpoint} holds a different model config: ${parts.join('; ')}`);
    this.field = fields[0]!;
  }
}

/** Saves the parameters with `{ ...metadata, modelConfig }` as metadata. */
export function saveTransformer(dir: string, name: string, model: Transformer, metadata: CheckpointMetadata = {}): Promise<SavedCheckpoint> {
  return saveModule(dir, name, model, { ...metadata, [MODEL_CONFIG_KEY]: model.config as unknown as JsonValue });
}

function storedConfig(path: string, metadata: CheckpointMetadata): TransformerConfig {
  const raw = metadata[MODEL_CONFIG_KEY];
  if (raw === undefined) throw new Error(`checkpoint ${path} has no "${MODEL_CONFIG_KEY}" in its metadata (not saved by saveTransformer?)`);
  try {
    return parseTransformerConfig(raw);
  } catch (err) {
    throw new Error(`checkpoint ${path}: stored ${MODEL_CONFIG_KEY} is invalid: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Loads checkpoint `name` into `model` (all or nothing) and returns its metadata. A different stored config
 * throws ModelConfigMismatchError naming the fields, before any parameter changes. (Goes through core's
 * loadCheckpoint rather than loadModule so the config is compared before the tensor shapes.)
 */
export async function loadTransformerInto(dir: string, name: string, model: Transformer): Promise<CheckpointMetadata> {
  const loaded = await loadCheckpoint(dir, name);
  try {
    const stored = storedConfig(loaded.path, loaded.metadata);
    const differences = configDifferences(stored, model.config);
    if (differences.length > 0) throw new ModelConfigMismatchError(loaded.path, differences, stored, model.config);
    model.loadStateDict(loaded.tensors);
    return loaded.metadata;
  } finally {
    tf.dispose(Object.values(loaded.tensors));
  }
}

/** Builds the model a checkpoint describes and loads it. */
export async function loadTransformer(dir: string, name: string): Promise<{ model: Transformer; metadata: CheckpointMetadata }> {
  const loaded = await loadCheckpoint(dir, name);
  try {
    // The initial values are overwritten at once; the seed only has to be fixed.
    const model = new Transformer(storedConfig(loaded.path, loaded.metadata), Rng.fromSeed('load-transformer'));
    try {
      model.loadStateDict(loaded.tensors);
    } catch (err) {
      model.dispose();
      throw err;
    }
    return { model, metadata: loaded.metadata };
  } finally {
    tf.dispose(Object.values(loaded.tensors));
  }
}

// Saving and restoring a module's parameters through checkpoint/, with the module's own parameter shapes as
// the expectation: a checkpoint from a different architecture fails naming every differing tensor.

import * as tf from '@tensorflow/tfjs-core';
import { loadCheckpoint, saveCheckpoint, type SavedCheckpoint } from '../checkpoint/checkpoint.ts';
import type { CheckpointMetadata } from '../checkpoint/manifest.ts';
import type { Module } from './module.ts';

export function saveModule(
  dir: string,
  name: string,
  module: Module,
  metadata: CheckpointMetadata = {},
): Promise<SavedCheckpoint> {
  return saveCheckpoint(dir, name, module.stateDict(), metadata);
}

/** Loads checkpoint `name` into `module` (all or nothing) and returns the checkpoint's metadata. */
export async function loadModule(dir: string, name: string, module: Module): Promise<CheckpointMetadata> {
  const loaded = await loadCheckpoint(dir, name, { expect: module.parameterShapes() });
  try {
    module.loadStateDict(loaded.tensors);
  } finally {
    tf.dispose(Object.values(loaded.tensors)); // the variables hold their own references
  }
  return loaded.metadata;
}

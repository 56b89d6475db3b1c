// Plugins: `routelab run ... --plugin ./my-scheme.js` imports a module whose default export is a function
// receiving this API; it registers schemes that configs can then name. The API hands over zod and the core
// helpers so that a plugin needs no imports of its own (it may live outside this repository).
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { access } from 'node:fs/promises';
import * as core from '@routelab/core';
import { z } from 'zod';
import { classMask, declaredWidth } from './schemes/activation_routing.ts';
import { loadedPluginFiles, registerScheme } from './registry.ts';
import { phasesConfigShape, phasesOf } from './phases.ts';

/**
 * What a plugin receives. `phasesConfigShape` (spread into a config schema) and `phasesOf` (as the scheme's
 * `phases`) let a plugin scheme declare expansion, learning-rate multipliers, ablation and a coherence
 * fine-tune the same way ERA does, for the experiments that honour them.
 */
export const pluginApi = { registerScheme, z, tf: core.tf, route: core.route, classMask, declaredWidth, phasesConfigShape, phasesOf };
export type PluginApi = typeof pluginApi;
export type Plugin = (api: PluginApi) => void | Promise<void>;

export class PluginError extends Error {
  constructor(path: string, reason: string) {
    super(`plugin ${path}: ${reason}`);
    this.name = 'PluginError';
  }
}

/** Loads a plugin file once per process: loading the same file again is a no-op. */
export async function loadPlugin(path: string): Promise<void> {
  const absolute = resolve(path);
  if (loadedPluginFiles.has(absolute)) return;
  try {
    await access(absolute);
  } catch {
    throw new PluginError(path, 'file not found');
  }
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(absolute).href)) as { default?: unknown };
  } catch (err) {
    throw new PluginError(path, `failed to import: ${(err as Error).message}`);
  }
  if (typeof mod.default !== 'function') {
    throw new PluginError(path, 'must export a default function (api) => { api.registerScheme({...}) }');
  }
  try {
    await (mod.default as Plugin)(pluginApi);
  } catch (err) {
    throw new PluginError(path, (err as Error).message);
  }
  loadedPluginFiles.add(absolute);
}

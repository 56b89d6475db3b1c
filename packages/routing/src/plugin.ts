// Plugins: `routelab run ... --plugin ./my-scheme.js` imports a module whose default export is a function
// receiving this API; it registers schemes that configs can then name. The API hands over zod and the core
// helpers so that a plugin needs no imports of its own (it may live outside this repository).
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { access } from 'node:fs/promises';
import * as core from '@routelab/core';
import { z } from 'zod';
import { classMask, declaredWidth } from './schemes/activation_routing.ts';
import { registerScheme } from './registry.ts';

export const pluginApi = { registerScheme, z, tf: core.tf, route: core.route, classMask, declaredWidth };
export type PluginApi = typeof pluginApi;
export type Plugin = (api: PluginApi) => void | Promise<void>;

export class PluginError extends Error {
  constructor(path: string, reason: string) {
    super(`plugin ${path}: ${reason}`);
    this.name = 'PluginError';
  }
}

export async function loadPlugin(path: string): Promise<void> {
  const absolute = resolve(path);
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
}

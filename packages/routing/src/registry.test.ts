import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILTIN_SCHEME_IDS, getScheme, registerScheme, resetPluginSchemes, schemeIds, UnknownSchemeError } from './registry.ts';
import { loadPlugin, PluginError } from './plugin.ts';
import { z } from 'zod';

afterEach(() => resetPluginSchemes());

describe('scheme table', () => {
  it('files every built-in under its own id', () => {
    for (const id of BUILTIN_SCHEME_IDS) expect(getScheme(id).id).toBe(id);
  });

  it('an unknown id lists the known ones', () => {
    expect(() => getScheme('magic')).toThrow(UnknownSchemeError);
    expect(() => getScheme('magic')).toThrow(/unknown routing scheme "magic"; known: none, filter, activation, parameter, era/);
  });

  it('registers new schemes but refuses duplicates and malformed ones', () => {
    registerScheme({ id: 'mine', description: '', configSchema: z.object({}), plan: () => ({}) });
    expect(schemeIds()).toContain('mine');
    expect(() => registerScheme({ id: 'era', description: '', configSchema: z.object({}), plan: () => ({}) })).toThrow(/already exists/);
    expect(() => registerScheme({ id: 'Bad Id', description: '', configSchema: z.object({}), plan: () => ({}) })).toThrow(/lower-case/);
    expect(() => registerScheme({ id: 'nope', description: '', configSchema: {} as never, plan: () => ({}) })).toThrow(/zod configSchema/);
  });
});

describe('plugins', () => {
  it('loads a module whose default export registers a scheme', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'routelab-plugin-'));
    const file = join(dir, 'plugin.mjs');
    await writeFile(file, "export default (api) => api.registerScheme({ id: 'from-file', description: 'x', configSchema: api.z.object({}), plan: () => ({}) });\n");
    await loadPlugin(file);
    expect(getScheme('from-file').description).toBe('x');
  });

  it('names the file and the problem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'routelab-plugin-'));
    await expect(loadPlugin(join(dir, 'missing.mjs'))).rejects.toThrow(/missing\.mjs: file not found/);
    const noDefault = join(dir, 'nodefault.mjs');
    await writeFile(noDefault, 'export const x = 1;\n');
    await expect(loadPlugin(noDefault)).rejects.toThrow(PluginError);
    await expect(loadPlugin(noDefault)).rejects.toThrow(/must export a default function/);
    const broken = join(dir, 'broken.mjs');
    await writeFile(broken, 'export default (;\n');
    await expect(loadPlugin(broken)).rejects.toThrow(/broken\.mjs: failed to import/);
  });
});

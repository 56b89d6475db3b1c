import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorld } from '../world/world.ts';
import { parsePersonaConfig, resolveModelConfig } from './config.ts';
import { cacheDir, priorKey } from './prior.ts';

describe('prior cache', () => {
  afterEach(() => {
    delete process.env['ROUTELAB_CACHE_DIR'];
  });

  it('lives in ROUTELAB_CACHE_DIR, else .routelab/cache under the working directory', () => {
    expect(cacheDir()).toBe(resolve(join(process.cwd(), '.routelab', 'cache')));
    process.env['ROUTELAB_CACHE_DIR'] = '/tmp/somewhere';
    expect(cacheDir()).toBe('/tmp/somewhere');
  });

  it('keys a prior by everything it depends on, and nothing stage 2 changes', () => {
    const config = parsePersonaConfig({});
    const world = createWorld();
    const model = resolveModelConfig(config, world.config);
    const base = { world, model, config, runSeed: 0, seed: 0, backend: 'wasm' };
    const key = priorKey(base);
    expect(key).toMatch(/^[0-9a-f]{24}$/);
    expect(priorKey(base)).toBe(key);
    expect(priorKey({ ...base, seed: 1 })).not.toBe(key);
    expect(priorKey({ ...base, runSeed: 1 })).not.toBe(key);
    expect(priorKey({ ...base, backend: 'cpu' })).not.toBe(key);
    expect(priorKey({ ...base, config: parsePersonaConfig({ stage1Steps: 10 }) })).not.toBe(key);
    expect(priorKey({ ...base, world: createWorld({ stage1: { wRate: 0.5 } }) })).not.toBe(key);
    expect(priorKey({ ...base, config: parsePersonaConfig({ stage2Steps: 3, arms: ['era'], oversight: { labelFraction: 0.5 } }) })).toBe(key);
  });
});

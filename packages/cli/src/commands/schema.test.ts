import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { experimentJsonSchema } from './schema.ts';

const shipped = (id: string) => fileURLToPath(new URL(`../../../../schemas/${id}.schema.json`, import.meta.url));

describe('routelab schema', () => {
  for (const id of ['persona', 'rl', 'mnist-split']) {
    it(`matches the shipped schemas/${id}.schema.json (regenerate with: routelab schema ${id} --out schemas/${id}.schema.json)`, async () => {
      expect(JSON.parse(await readFile(shipped(id), 'utf8'))).toEqual(experimentJsonSchema(id));
    });
  }

  it("describes the persona config's arms so that an editor can check a researcher's own arm", () => {
    const schema = experimentJsonSchema('persona') as { properties: Record<string, { additionalProperties?: { required?: string[]; properties?: Record<string, unknown> } }> };
    const arm = schema.properties['armDefinitions']!.additionalProperties!;
    expect(arm.required).toEqual(['data']);
    expect(Object.keys(arm.properties!)).toEqual(['description', 'data', 'scheme', 'schemeConfig', 'oversight', 'earlyStopping', 'unlearn', 'train']);
    expect(schema.properties).toHaveProperty('$schema');
  });

  it('names an unknown experiment', () => {
    expect(() => experimentJsonSchema('nope')).toThrow(/unknown experiment "nope"; known: /);
  });
});

// `routelab schema <experiment> [--out FILE]`: the experiment's config as JSON Schema (draft 2020-12, the
// input side: defaults are optional), so that an editor completes and checks a config file as it is typed.
// Example configs point at the copies in schemas/ with "$schema"; the runner ignores that key.
import { resolve } from 'node:path';
import { writeFileAtomic } from '@routelab/core';
import { z } from 'zod';
import { findExperiment } from '../experiments.ts';

export interface SchemaOptions {
  out?: string;
}

export function experimentJsonSchema(experimentId: string): Record<string, unknown> {
  const experiment = findExperiment(experimentId);
  const schema = z.toJSONSchema(experiment.configSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...rest } = schema;
  return {
    $schema,
    title: `routelab ${experiment.id} config`,
    description: `Settings of \`routelab run ${experiment.id}\`, deep-merged over a preset (${Object.keys(experiment.presets).join(', ')}).`,
    ...rest,
    // Configs may name this schema for their editor.
    properties: { $schema: { type: 'string' }, ...((rest['properties'] as Record<string, unknown> | undefined) ?? {}) },
  };
}

export async function schemaCommand(experimentId: string, options: SchemaOptions): Promise<void> {
  const text = `${JSON.stringify(experimentJsonSchema(experimentId), null, 2)}\n`;
  if (options.out === undefined) {
    process.stdout.write(text);
    return;
  }
  await writeFileAtomic(resolve(options.out), new TextEncoder().encode(text));
  process.stderr.write(`wrote ${options.out}\n`);
}

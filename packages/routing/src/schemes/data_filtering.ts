// Data filtering, the baseline: units routed as forget are dropped from the loss. Under partial oversight
// only labelled forget data is dropped, which is what filtering can do in practice.
import { tf } from '@routelab/core';
import { z } from 'zod';
import type { MaskPlan, RoutingScheme } from '../scheme.ts';

export const dataFilteringConfigSchema = z.object({}).strict();
export type DataFilteringConfig = z.infer<typeof dataFilteringConfigSchema>;

export const dataFiltering: RoutingScheme<DataFilteringConfig> = {
  id: 'filter',
  description: 'drop units labelled forget from the loss (the baseline)',
  configSchema: dataFilteringConfigSchema,
  plan(labels): MaskPlan {
    const keep = Float32Array.from(labels.routedAsForget, (f) => 1 - f);
    return { unitWeights: tf.tensor(keep, labels.shape) };
  },
};

export const noRoutingConfigSchema = z.object({}).strict();

/** No routing: the control arm (every unit updates everything). */
export const noRouting: RoutingScheme<Record<string, never>> = {
  id: 'none',
  description: 'no routing (control)',
  configSchema: noRoutingConfigSchema as z.ZodType<Record<string, never>>,
  plan: () => ({}),
};

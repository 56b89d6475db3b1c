// Parameter routing (SGTM-style): forget data may update only designated slices of named parameters, retain
// data the rest (or everything), through the fused masked-update kernels. Unlike activation routing, a
// blocked parameter's upstream still receives gradient, which avoids the leak through output weights.
import { tf } from '@routelab/core';
import { z } from 'zod';
import { paramClassMaskSchema, paramMaskValues } from '../mask_spec.ts';
import type { MaskPlan, RoutingScheme } from '../scheme.ts';

export const parameterRoutingConfigSchema = z.object({
  forget: paramClassMaskSchema,
  retain: paramClassMaskSchema.default({ params: {}, default: 1 }),
});
export type ParameterRoutingConfig = z.infer<typeof parameterRoutingConfigSchema>;

export const parameterRouting: RoutingScheme<ParameterRoutingConfig> = {
  id: 'parameter',
  description: 'route parameter gradients: per-class masks on named parameter slices',
  configSchema: parameterRoutingConfigSchema,
  validate({ model, config }) {
    for (const cls of ['forget', 'retain'] as const) {
      for (const name of Object.keys(config[cls].params)) paramMaskValues(name, model.parameter(name).shape, config[cls]);
    }
  },
  plan(_labels, { model, config }): MaskPlan {
    const build = (cls: 'forget' | 'retain') =>
      new Map(
        model.namedParameters().map(([name, p]) => [name, tf.tensor(paramMaskValues(name, p.shape, config[cls]), p.shape)] as const),
      );
    return { parameters: { forget: build('forget'), retain: build('retain') } };
  },
};

// A routing scheme written outside routelab: "leaky split". Like activation routing, forget units train the
// first `split` dims of a hook point and retain units the rest, except that a fraction `leak` of each
// unit's gradient still reaches the other side. Run it with:
//   npx routelab run mnist-split --plugin examples/leaky-split/leaky_split.mjs --config examples/leaky-split/config.json
//   npx routelab compare --plugin examples/leaky-split/leaky_split.mjs --config examples/leaky-split/persona.json
export default function register(api) {
  const { z, classMask } = api;
  api.registerScheme({
    id: 'leaky-split',
    description: 'split a hook point between forget and retain units, leaking a fraction of the gradient',
    configSchema: z.object({
      hook: z.string(),
      width: z.number().int().positive(),
      split: z.number().int().positive(),
      leak: z.number().min(0).max(1),
      // Optional: expand / lrMultipliers / ablate / coherenceSteps, as ERA has them (the persona world ablates).
      ...api.phasesConfigShape,
    }),
    validate({ model, config }) {
      model.hookPoint(config.hook); // throws listing the model's hook points if the name is wrong
      if (config.split >= config.width) throw new Error(`leaky-split: split ${config.split} must be < width ${config.width}`);
    },
    plan(labels, { config }) {
      const { width, split, leak } = config;
      const forget = new Float32Array(width).fill(leak).fill(1, 0, split);
      const retain = new Float32Array(width).fill(1).fill(leak, 0, split);
      // classMask: [...labels.shape, width] mask picking `forget` or `retain` per unit by its route label.
      return { activations: new Map([[config.hook, classMask(labels, forget, retain)]]) };
    },
    phases: api.phasesOf,
  });
}

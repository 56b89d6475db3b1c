import { describe, expect, it } from 'vitest';
import { DEFAULT_ARMS, MNIST_SPLIT_PRESETS, mnistSplitConfigSchema, resolveArm } from './mnist_split_config.ts';

function issues(input: unknown): Array<{ path: string; message: string }> {
  const parsed = mnistSplitConfigSchema.safeParse(input);
  if (parsed.success) return [];
  return parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('mnist-split config', () => {
  it('defaults are the quick preset, with the five arms', () => {
    expect(mnistSplitConfigSchema.parse({})).toEqual(MNIST_SPLIT_PRESETS.quick);
    expect(MNIST_SPLIT_PRESETS.quick.arms.map((a) => a.name)).toEqual(['routed', 'control', 'no-reg', 'routed-frac-0.5', 'routed-frac-0.1']);
    expect(MNIST_SPLIT_PRESETS.quick.seeds).toBe(3);
    expect(DEFAULT_ARMS).toHaveLength(5);
  });

  it('the paper preset has the paper model and optimiser', () => {
    const p = MNIST_SPLIT_PRESETS.paper;
    expect([p.encoderHidden, p.codeDim, p.batchSize, p.lr, p.steps]).toEqual([[2048, 512], 32, 2048, 1e-3, 6000]);
    expect([p.reconstructionLoss, p.l1Weight, p.corrWeight, p.lrDecayFactor]).toEqual(['mae', 3e-3, 0.1, 1]);
  });

  it('round-trips through JSON (it is saved whole with the run)', () => {
    const quick = MNIST_SPLIT_PRESETS.quick;
    expect(mnistSplitConfigSchema.parse(JSON.parse(JSON.stringify(quick)))).toEqual(quick);
  });

  it('names the path of every error', () => {
    expect(issues({ codeDim: 31 })).toContainEqual({ path: 'codeDim', message: expect.stringMatching(/even/) });
    expect(issues({ steps: 0 }).map((i) => i.path)).toEqual(['steps']);
    expect(issues({ arms: [{ name: 'routed' }, { name: 'routed' }] }).map((i) => i.path)).toEqual(['arms.1.name']);
    expect(issues({ arms: [{ name: 'a/b' }] }).map((i) => i.path)).toEqual(['arms.0.name']);
    expect(issues({ arms: [{ name: 'x', scheme: 'nope' }] })).toContainEqual({ path: 'arms.0.scheme', message: expect.stringMatching(/unknown routing scheme "nope"/) });
    expect(issues({ forgetDigits: [1, 1] }).map((i) => i.path)).toEqual(['forgetDigits']);
    // A bad region in the routing config, reported under routingConfig with the scheme's own path.
    const bad = { hooks: [{ hook: 'encoder.code', regions: { a: [0, 16] }, forget: { z: 1 } }] };
    expect(issues({ routingConfig: bad }).map((i) => i.path)).toEqual(['routingConfig.hooks.0.forget.z']);
    // An arm's own scheme config is checked against that arm's scheme.
    expect(issues({ arms: [{ name: 'p', scheme: 'parameter', schemeConfig: {} }] }).map((i) => i.path)).toEqual(['arms.0.schemeConfig.forget']);
    // Phases this experiment cannot carry out are refused rather than ignored.
    const era = { targets: [{ hook: 'encoder.code', expanded: [16, 32] }], ablate: ['encoder.*'], coherenceSteps: 5 };
    expect(issues({ arms: [{ name: 'e', scheme: 'era', schemeConfig: era }] })).toEqual([
      { path: 'arms.0.schemeConfig.ablate', message: expect.stringMatching(/mnist-split does not use "ablate"/) },
      { path: 'arms.0.schemeConfig.coherenceSteps', message: expect.stringMatching(/does not use "coherenceSteps"/) },
    ]);
  });

  it('resolves an arm from the top level: scheme, its config, and the penalty weights it does not override', () => {
    const config = MNIST_SPLIT_PRESETS.quick;
    const noReg = resolveArm(config, config.arms[2]!);
    expect(noReg).toMatchObject({ name: 'no-reg', scheme: 'activation', l1Weight: 0, corrWeight: 0, labelFraction: 1, labelNoise: 0 });
    expect(noReg.schemeConfig).toMatchObject({ hooks: [{ hook: 'encoder.code', regions: { a: [0, 16], b: [16, 32] } }] });
    const control = resolveArm(config, config.arms[1]!);
    expect(control).toMatchObject({ scheme: 'none', schemeConfig: {}, l1Weight: config.l1Weight, corrWeight: config.corrWeight });
    expect(resolveArm(config, config.arms[4]!).labelFraction).toBe(0.1);
  });
});

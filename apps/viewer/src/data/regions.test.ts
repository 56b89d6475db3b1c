import { describe, expect, it } from 'vitest';
import { armOf, regionNote, regionOf, regionsForParameter, regionsForSegments, routingFor } from './regions.ts';

const mnistConfig = {
  routingScheme: 'activation',
  routingConfig: { hooks: [{ hook: 'encoder.code', regions: { a: [0, 16], b: [16, 32] }, forget: { a: 1, b: 0 }, retain: { a: 0, b: 1 } }] },
  arms: [
    { name: 'routed', scheme: 'activation' },
    { name: 'control', scheme: 'none' },
    { name: 'own', scheme: 'activation', schemeConfig: { hooks: [{ hook: 'encoder.code', regions: { x: [0, 8] }, forget: { x: 1 } }] } },
    { name: 'param', scheme: 'parameter', schemeConfig: { forget: { params: { 'w.out': [{ cols: [2, 4] }] }, default: 0 } } },
    { name: 'era-range', scheme: 'era', schemeConfig: { targets: [{ hook: 'encoder.code', expanded: [24, 32] }] } },
  ],
};

// The shape of a persona run's config.json (armDefinitions as the built-in preset writes them).
const personaConfig = {
  arms: ['none', 'era'],
  armDefinitions: {
    none: { data: 'none', scheme: 'none', schemeConfig: {} },
    era: {
      data: 'none',
      scheme: 'era',
      schemeConfig: {
        targets: [{ original: 'blocks.*.mlp.out_original', expanded: 'blocks.*.mlp.out_expanded' }],
        expand: { units: 8, layers: 'all' },
        lrMultipliers: { 'blocks.*.mlp.*_expanded': 10 },
        ablate: ['blocks.*.mlp.*_expanded'],
      },
    },
    'param-routing': {
      data: 'none',
      scheme: 'parameter',
      schemeConfig: {
        forget: { params: { 'blocks.*.mlp.*_expanded': [{ weight: 1 }] }, default: 0 },
        retain: { params: { 'blocks.*.mlp.*_expanded': [{ weight: 0 }] }, default: 1 },
        ablate: ['blocks.*.mlp.*_expanded'],
      },
    },
    'leaky-0.1': { data: 'none', scheme: 'leaky-split', schemeConfig: { hook: 'blocks.1.mlp.hidden', width: 256, split: 64, leak: 0.1, ablate: { 'blocks.1.mlp.w_out': [{ rows: [0, 64] }] } } },
    'leaky-bad': { data: 'none', scheme: 'leaky-split', schemeConfig: { ablate: { 'blocks.1.mlp.w_out': [{ rows: [4, 2] }] } } },
    'era-bad': { data: 'none', scheme: 'era', schemeConfig: { targets: [] } },
  },
};

const labelsOf = (regions: ReturnType<typeof regionsForParameter>) => regions.map((r) => `${r.cls} ${r.label} ${r.routed}`);

describe('routed regions of an mnist-split config (arms as a list)', () => {
  it('an arm routed by the default scheme: forget to a, retain and unlabelled to b', () => {
    const routing = routingFor(mnistConfig, 'routed/seed-0');
    expect(routing.scheme).toBe('activation');
    const regions = regionsForParameter(routing, 'encoder.layer2.weight', 32, ['forget', 'retain', 'unlabelled']);
    const routed = regions.filter((r) => r.routed).map((r) => `${r.cls} ${r.label}`);
    expect(routed).toEqual(['forget a [0, 16)', 'retain b [16, 32)', 'unlabelled b [16, 32)']);
    expect(regions.filter((r) => !r.routed)).toHaveLength(3);
    // A parameter of another width gets no outline.
    expect(regionsForParameter(routing, 'decoder.layer0.weight', 64, ['forget'])).toEqual([]);
  });

  it('an arm without routing has nothing to outline, and says why', () => {
    const routing = routingFor(mnistConfig, 'control/seed-1');
    expect(routing.note).toMatch(/arm "control" uses scheme "none", which routes nothing/);
    expect(regionsForParameter(routing, 'encoder.layer2.weight', 32, ['forget'])).toEqual([]);
  });

  it("an arm's own scheme config wins; parameter routing outlines its forget slices; ERA its unit range", () => {
    expect(regionsForParameter(routingFor(mnistConfig, 'own/seed-0'), 'p', 8, ['forget']).map((r) => r.label)).toEqual(['x [0, 8)']);
    const param = regionsForParameter(routingFor(mnistConfig, 'param/seed-0'), 'w.out', 6, ['forget', 'retain']);
    expect(labelsOf(param)).toEqual([
      'forget routed region [2, 4) true',
      'forget kept [0, 2) false',
      'forget kept [4, 6) false',
      'retain routed region [2, 4) false',
      'retain kept [0, 2) true',
      'retain kept [4, 6) true',
    ]);
    const era = regionsForParameter(routingFor(mnistConfig, 'era-range/seed-0'), 'encoder.layer2.weight', 32, ['forget', 'retain']);
    expect(labelsOf(era)).toEqual(['forget expanded [24, 32) true', 'forget original [0, 24) false', 'retain expanded [24, 32) false', 'retain original [0, 24) true']);
  });
});

describe('routed regions of a persona config (armDefinitions by name)', () => {
  it("reads the cell's arm definition: ERA's contribution hooks, and the ablated parameters as the routed region", () => {
    expect(armOf(personaConfig, 'era/seed-1')).toMatchObject({ arm: 'era', scheme: 'era' });
    const routing = routingFor(personaConfig, 'era/seed-1');
    expect(routing.note).toBeUndefined();
    expect(routing.contributionPairs).toEqual([{ original: 'blocks.*.mlp.out_original', expanded: 'blocks.*.mlp.out_expanded' }]);
    expect(routing.region.map((r) => r.pattern)).toEqual(['blocks.*.mlp.*_expanded']);
    expect(regionOf(routing, 'blocks.1.mlp.w_in_expanded')).toHaveLength(1);
    expect(regionOf(routing, 'blocks.1.mlp.w_in')).toEqual([]);
    expect(regionOf(routing, 'unembed.weight')).toEqual([]);
    expect(regionNote(routing, 'blocks.0.mlp.b_out_expanded')).toBe('ablate: whole');
    // The MLP's units on one axis: 256 original (kept), 8 expanded (the routed region).
    const units = regionsForSegments(
      routing,
      [
        { parameter: 'blocks.0.mlp.w_in', from: 0, to: 256 },
        { parameter: 'blocks.0.mlp.w_in_expanded', from: 256, to: 264 },
      ],
      ['forget', 'retain'],
    );
    expect(labelsOf(units)).toEqual(['forget routed region [256, 264) true', 'forget kept [0, 256) false', 'retain routed region [256, 264) false', 'retain kept [0, 256) true']);
  });

  it('parameter routing: the forget slices and the ablated region are both the routed region', () => {
    const routing = routingFor(personaConfig, 'param-routing/seed-0');
    expect(routing.region.map((r) => `${r.source} ${r.pattern}`)).toEqual(['ablate blocks.*.mlp.*_expanded', 'forget slice blocks.*.mlp.*_expanded']);
    expect(regionNote(routing, 'blocks.0.mlp.w_in_expanded')).toBe('ablate, forget slice: whole');
  });

  it("a plugin scheme's region is its ablate phase; a row slice cannot be drawn per neuron, but marks the parameter", () => {
    const routing = routingFor(personaConfig, 'leaky-0.1/seed-0');
    expect(routing.scheme).toBe('leaky-split');
    expect(regionNote(routing, 'blocks.1.mlp.w_out')).toBe('ablate: rows [0, 64)');
    expect(regionsForParameter(routing, 'blocks.1.mlp.w_out', 32, ['forget'])).toEqual([]);
  });

  it('a config that fails its schema says so, naming the field; a cell of an unknown arm has no routing', () => {
    expect(routingFor(personaConfig, 'era-bad/seed-0').note).toMatch(/arm "era-bad": scheme "era" config does not parse \(targets: /);
    expect(routingFor(personaConfig, 'leaky-bad/seed-0').note).toMatch(/ablate does not parse .*blocks\.1\.mlp\.w_out\.0\.rows/);
    expect(routingFor(personaConfig, 'missing/seed-0').note).toMatch(/declares no routing scheme/);
    expect(routingFor(personaConfig, 'none/seed-0').note).toMatch(/scheme "none", which routes nothing/);
  });
});

import { describe, expect, it } from 'vitest';
import { findDeclarations, regionsForParameter, routingFor } from './regions.ts';

const mnistConfig = {
  routingScheme: 'activation',
  routingConfig: { hooks: [{ hook: 'encoder.code', regions: { a: [0, 16], b: [16, 32] }, forget: { a: 1, b: 0 }, retain: { a: 0, b: 1 } }] },
  arms: [
    { name: 'routed', scheme: 'activation' },
    { name: 'control', scheme: 'none' },
    { name: 'own', scheme: 'activation', schemeConfig: { hooks: [{ hook: 'encoder.code', regions: { x: [0, 8] }, forget: { x: 1 } }] } },
    { name: 'param', scheme: 'parameter', schemeConfig: { forget: { params: { 'w.out': [{ cols: [2, 4] }] }, default: 0 } } },
  ],
};

describe('routed regions from a config', () => {
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
    expect(routing.note).toMatch(/scheme "none"/);
    expect(regionsForParameter(routing, 'encoder.layer2.weight', 32, ['forget'])).toEqual([]);
  });

  it("an arm's own scheme config wins; parameter routing outlines its column slices", () => {
    expect(regionsForParameter(routingFor(mnistConfig, 'own/seed-0'), 'p', 8, ['forget']).map((r) => r.label)).toEqual(['x [0, 8)']);
    const param = regionsForParameter(routingFor(mnistConfig, 'param/seed-0'), 'w.out', 6, ['forget', 'retain']);
    expect(param).toEqual([{ cls: 'forget', from: 2, to: 4, label: 'forget slice [2, 4)', routed: true }]);
  });

  it('without arms, declarations anywhere count; ERA outlines expanded units', () => {
    const config = { era: { targets: [{ hook: 'blocks.0.mlp.hidden', expanded: [64, 72] }] } };
    expect(findDeclarations(config).era).toEqual([{ hook: 'blocks.0.mlp.hidden', expanded: [64, 72] }]);
    const routing = routingFor(config, 'era/seed-0');
    expect(regionsForParameter(routing, 'blocks.0.mlp.hidden_units', 72, ['forget', 'retain']).map((r) => `${r.cls} ${r.label} ${r.routed}`)).toEqual([
      'forget expanded [64, 72) true',
      'forget original [0, 64) false',
      'retain expanded [64, 72) false',
      'retain original [0, 64) true',
    ]);
    expect(regionsForParameter(routing, 'blocks.0.mlp.w_in_expanded', 8, ['forget']).map((r) => r.label)).toEqual(['expanded [0, 8)']);
  });
});

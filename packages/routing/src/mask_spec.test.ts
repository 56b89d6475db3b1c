import { describe, expect, it } from 'vitest';
import { hookRouteSchema, paramClassMaskSchema, paramMaskValues, regionWeightVector } from './mask_spec.ts';

describe('mask specs', () => {
  it('builds per-class region weights over the last axis', () => {
    const spec = hookRouteSchema.parse({
      hook: 'encoder.code',
      regions: { low: [0, 2], high: [2, 4] },
      forget: { low: 1, high: 0 },
      retain: { low: -0.5 },
      outside: 0.25,
    });
    expect([...regionWeightVector(spec, 'forget', 5)]).toEqual([1, 1, 0, 0, 0.25]);
    expect([...regionWeightVector(spec, 'retain', 5)]).toEqual([-0.5, -0.5, 1, 1, 0.25]);
    expect(() => regionWeightVector(spec, 'forget', 3)).toThrow(/region "high" \[2, 4\) exceeds the last axis \(3\)/);
  });

  it('names unknown regions and empty ranges', () => {
    const bad = hookRouteSchema.safeParse({ hook: 'h', regions: { a: [0, 2] }, forget: { b: 1 } });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error!.issues)).toMatch(/unknown region \\"b\\"; regions: a/);
    expect(hookRouteSchema.safeParse({ hook: 'h', regions: { a: [3, 2] } }).success).toBe(false);
  });

  it('builds parameter slice masks for matrices and vectors', () => {
    const spec = paramClassMaskSchema.parse({ params: { w: [{ rows: [0, 1], cols: [1, 3] }], b: [{ cols: [0, 1], weight: 0.5 }] }, default: 0 });
    expect([...paramMaskValues('w', [2, 3], spec)]).toEqual([0, 1, 1, 0, 0, 0]);
    expect([...paramMaskValues('b', [3], spec)]).toEqual([0.5, 0, 0]);
    expect([...paramMaskValues('other', [2], spec)]).toEqual([0, 0]);
    expect(() => paramMaskValues('w', [2, 2], spec)).toThrow(/parameter "w" \[2, 2\]: slice rows \[0, 1\) cols \[1, 3\) is out of range/);
  });
});

import { expect, it } from 'vitest';
import { suppressionChartSpec, suppressionPoints } from './suppression_chart.ts';

const iv = (mean: number, hw: number) => ({ mean, lo: mean - hw, hi: mean + hw });
const report = {
  arms: ['none', 'ip-specific'],
  results: {
    none: { conditions: { neutral: { capability: iv(0.8, 0.05), U: iv(0.9, 0.05), G: iv(0.3, 0.1) } } },
    'ip-specific': { conditions: { neutral: { capability: iv(0.76, 0.05), U: iv(0.2, 0.1), G: iv(0.1, 0.1) } } },
  },
  pairedVsNone: { 'ip-specific': { conditions: { neutral: { capability: iv(-0.04, 0.02), U: iv(-0.7, 0.1), G: iv(-0.2, 0.15) } } } },
};

it('places each arm by capability retained and trait suppression, relative to none, with paired CIs', () => {
  const points = suppressionPoints(report);
  const ipU = points.find((p) => p.arm === 'ip-specific' && p.trait === 'U')!;
  expect(ipU.capability).toBeCloseTo(0.95, 10);
  expect(ipU.capabilityLo).toBeCloseTo(1 - 0.06 / 0.8, 10);
  expect(ipU.suppression).toBeCloseTo(0.7, 10);
  expect([ipU.suppressionLo, ipU.suppressionHi].map((v) => +v.toFixed(10))).toEqual([0.6, 0.8]);
  expect(points.find((p) => p.arm === 'none' && p.trait === 'G')).toMatchObject({ capability: 1, suppression: 0 });
  const spec = suppressionChartSpec(report) as { data: { values: unknown[] } };
  expect(spec.data.values).toHaveLength(4);
});

it('draws nothing without a none arm to compare against', () => {
  expect(suppressionPoints({ ...report, results: { 'ip-specific': report.results['ip-specific'] } })).toEqual([]);
});

import { describe, expect, it } from 'vitest';
import { tQuantile975 } from './confidence.ts';
import { normalCdf, studentTCdf, studentTQuantile } from './distributions.ts';

describe('normalCdf', () => {
  it('matches known values to its stated relative error, tails included', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 6);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.959964)).toBeCloseTo(0.025, 6);
    expect(normalCdf(-3) / 0.0013498980316301).toBeCloseTo(1, 6);
    expect(normalCdf(-5) / 2.866515718791939e-7).toBeCloseTo(1, 5);
  });
});

describe('Student t', () => {
  it('CDF has closed forms at 1 and 2 degrees of freedom', () => {
    // df 1 is Cauchy: 1/2 + atan(t)/pi; df 2: 1/2 + t / (2 sqrt(2 + t^2)).
    for (const t of [-3, -0.5, 0, 0.7, 4]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 12);
    }
  });

  it('quantiles reproduce the 97.5% table for 1..30 degrees of freedom', () => {
    for (let df = 1; df <= 30; df++) expect(studentTQuantile(0.975, df)).toBeCloseTo(tQuantile975(df), 2);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.776445, 5);
    expect(studentTQuantile(0.995, 9)).toBeCloseTo(3.249836, 5);
  });

  it('rejects degrees of freedom a seed count cannot give', () => {
    expect(() => studentTCdf(1, 0)).toThrow(/whole number >= 1, got 0/);
    expect(() => studentTQuantile(0.9, 2.5)).toThrow(/got 2.5/);
    expect(() => studentTQuantile(1, 3)).toThrow(/p must be in \(0, 1\), got 1/);
  });
});

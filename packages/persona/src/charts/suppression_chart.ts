// The comparison chart of `routelab compare` (and the viewer's Compare page): for each arm, how much it
// suppresses an unwanted trait against how much capability it keeps, both relative to `none` and both with
// the 95% intervals of the seed-paired differences. Pure: builds a Vega-Lite spec from a persona report.

/** The parts of a persona report.json the chart reads (see experiment/report.ts). */
export interface ChartInterval {
  mean: number;
  lo: number;
  hi: number;
}
export interface PersonaReportForChart {
  arms: string[];
  results: Record<string, { conditions: Record<string, Record<string, ChartInterval | null>> }>;
  pairedVsNone: Record<string, { conditions: Record<string, Record<string, ChartInterval | null>> }>;
}

export interface SuppressionPoint {
  arm: string;
  trait: 'U' | 'G';
  /** Capability as a fraction of none's (1 = all kept). */
  capability: number;
  capabilityLo: number;
  capabilityHi: number;
  /** none's trait rate minus the arm's (positive = suppressed). */
  suppression: number;
  suppressionLo: number;
  suppressionHi: number;
}

export function suppressionPoints(report: PersonaReportForChart, condition = 'neutral'): SuppressionPoint[] {
  const noneCapability = report.results.none?.conditions[condition]?.capability?.mean;
  if (noneCapability === undefined || noneCapability <= 0) return [];
  const points: SuppressionPoint[] = [];
  for (const arm of report.arms) {
    for (const trait of ['U', 'G'] as const) {
      if (arm === 'none') {
        points.push({ arm, trait, capability: 1, capabilityLo: 1, capabilityHi: 1, suppression: 0, suppressionLo: 0, suppressionHi: 0 });
        continue;
      }
      const paired = report.pairedVsNone[arm]?.conditions[condition];
      const dCap = paired?.capability;
      const dTrait = paired?.[trait];
      if (!dCap || !dTrait) continue;
      points.push({
        arm,
        trait,
        capability: 1 + dCap.mean / noneCapability,
        capabilityLo: 1 + dCap.lo / noneCapability,
        capabilityHi: 1 + dCap.hi / noneCapability,
        suppression: -dTrait.mean,
        suppressionLo: -dTrait.hi,
        suppressionHi: -dTrait.lo,
      });
    }
  }
  return points;
}

/** A Vega-Lite spec: one panel per trait (U trained, G generalised), a point per arm with CI bars. */
export function suppressionChartSpec(report: PersonaReportForChart, condition = 'neutral'): Record<string, unknown> {
  const x = { field: 'capability', type: 'quantitative', title: 'capability retained (fraction of none)', scale: { zero: false } };
  const y = { field: 'suppression', type: 'quantitative', title: 'trait suppression vs none (rate points)' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Unwanted-trait suppression against capability retained (${condition} prompt, 95% CIs over seeds)`,
    data: { values: suppressionPoints(report, condition) },
    facet: { column: { field: 'trait', type: 'nominal', sort: ['U', 'G'], title: null, header: { labelExpr: "datum.value === 'U' ? 'U (trained)' : 'G (generalised)'" } } },
    spec: {
      width: 320,
      height: 260,
      layer: [
        { mark: { type: 'rule', opacity: 0.6 }, encoding: { x: { ...x, field: 'capabilityLo' }, x2: { field: 'capabilityHi' }, y, color: { field: 'arm', type: 'nominal' } } },
        { mark: { type: 'rule', opacity: 0.6 }, encoding: { x, y: { ...y, field: 'suppressionLo' }, y2: { field: 'suppressionHi' }, color: { field: 'arm', type: 'nominal' } } },
        { mark: { type: 'point', filled: true, size: 70 }, encoding: { x, y, color: { field: 'arm', type: 'nominal', title: 'arm' }, shape: { field: 'arm', type: 'nominal' }, tooltip: [{ field: 'arm' }, { field: 'suppression', format: '.3f' }, { field: 'capability', format: '.3f' }] } },
      ],
    },
  };
}

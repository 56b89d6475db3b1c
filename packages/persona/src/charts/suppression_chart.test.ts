import { describe, expect, it } from 'vitest';
import { chartTestReport } from './chart_test_report.ts';
import { armMarks, questionMarks, reportPanels, suppressionChartSpec } from './suppression_chart.ts';

/** The parts of the spec the tests read. */
interface Part {
  title: { text: string };
  facet?: unknown;
  data: { values: { arm: string; label: string; kind: string }[] };
  spec: { layer: { mark: { type: string }; encoding: { text?: { field: string } } }[] };
}
interface Spec {
  title: { subtitle: string[] };
  vconcat: Part[];
}
type Encoding = { field?: string; scale?: { domain?: unknown } };

/** Every x/y encoding with a scale domain, anywhere in the spec. */
function domains(spec: unknown, out: { channel: string; domain: unknown }[] = []): typeof out {
  if (Array.isArray(spec)) spec.forEach((s) => domains(s, out));
  else if (spec && typeof spec === 'object') {
    const enc = (spec as { encoding?: Record<string, Encoding | undefined> }).encoding;
    for (const channel of ['x', 'y']) {
      const domain = enc?.[channel]?.scale?.domain;
      if (domain) out.push({ channel, domain });
    }
    Object.values(spec).forEach((v) => domains(v, out));
  }
  return out;
}

describe('comparison chart', () => {
  const report = chartTestReport();

  it('spans rates over [0, 1] and rate differences over [-1, 1], whatever the data', () => {
    const spec = suppressionChartSpec(report) as unknown as Spec;
    const [questions, ...panels] = spec.vconcat;
    const questionDomains = domains(questions);
    expect(questionDomains.length).toBeGreaterThan(0);
    expect(questionDomains.every((d) => JSON.stringify(d.domain) === '[-1,1]')).toBe(true);
    const panelDomains = domains(panels.filter((p) => p.facet));
    expect(panelDomains.length).toBeGreaterThan(0);
    expect(panelDomains.every((d) => d.channel === 'x' && JSON.stringify(d.domain) === '[0,1]')).toBe(true);
  });

  it('clips every interval to what the quantity can take', () => {
    const marks = armMarks(report, reportPanels(report));
    // filter's U is 0.02 +- 0.12: its raw low end is below 0.
    const filterU = marks.find((m) => m.arm === 'filter' && m.metric === 'U')!;
    expect(report.results.filter!.conditions.neutral!.U!.lo).toBeLessThan(0);
    expect(filterU).toMatchObject({ lo: 0, mean: 0.02, label: '0.02' });
    expect(marks.every((m) => m.lo >= 0 && m.hi <= 1 && m.lo <= m.mean && m.mean <= m.hi)).toBe(true);
    const q2 = questionMarks(report.questions!).find((q) => q.row.startsWith('Q2'))!;
    expect(q2).toMatchObject({ lo: -1, hi: 0.2, estimate: -0.15 });
    expect(q2.label).toBe('-0.15 [-1.00, +0.20], n=5: not significant');
  });

  it('labels each question with its verdict, and states a contrast in steps without placing it on the rate axis', () => {
    const q = questionMarks(report.questions!);
    expect(q.map((m) => m.row.slice(0, 2))).toEqual(['Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q6']);
    expect(q[0]).toMatchObject({ significant: true, label: '-0.20 [-0.31, -0.09], n=5: significant' });
    expect(q[2]).toMatchObject({ row: 'Q3: impure data', estimate: null, label: 'not answerable here: arm impure-ip-u-only not in the results' });
    expect(q[3]!.label).toContain('not answerable here');
    expect(q[4]).toMatchObject({ estimate: null, label: '+12.00 [+4.00, +20.00], n=5: not significant' });
  });

  it('draws one panel per question with a labelled dot per arm and metric, the reference first', () => {
    const spec = suppressionChartSpec(report) as unknown as Spec;
    const panels = spec.vconcat.filter((p) => p.facet);
    expect(panels.map((p) => p.title.text.split(':')[0])).toEqual(['Q1, Q4', 'Q2', 'Q3', 'Q6', 'Other arms']);
    for (const p of panels) {
      const values = p.data.values;
      expect(values.every((v) => /^\d\.\d\d$/.test(v.label))).toBe(true);
      expect(values[0]!.kind).toBe('reference');
      // A text layer draws each dot's label.
      expect(p.spec.layer.some((l) => l.mark.type === 'text' && l.encoding.text?.field === 'label')).toBe(true);
    }
    // 16 arms in the report, each drawn at least once; no colour per arm (kinds, one legend).
    const drawn = new Set(panels.flatMap((p) => p.data.values.map((v) => v.arm)));
    expect(drawn.size).toBe(report.arms.length);
    expect(JSON.stringify(spec)).not.toContain('"field":"arm","type":"nominal","title":"arm"');
    // Without era+ip no arm is of kind 'routing + inoculation': the legend lists only the kinds drawn.
    const { questions: _q, ...noCombined } = { ...report, arms: report.arms.filter((a) => a !== 'era+ip') };
    const kinds = JSON.stringify(suppressionChartSpec(noCombined));
    expect(kinds).toContain('"domain":["reference","inoculation","control","routing","filtering","other"]');
  });

  it('draws the arm panels alone for a report without questions', () => {
    const { questions: _q, ...bare } = report;
    const spec = suppressionChartSpec(bare) as unknown as Spec;
    expect(spec.vconcat.every((p) => p.facet)).toBe(true);
    expect(spec.title.subtitle.join(' ')).toContain('no question answers');
  });
});

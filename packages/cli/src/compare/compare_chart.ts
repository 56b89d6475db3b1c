// Renders the compare chart (spec from @routelab/persona, shared with the viewer) to SVG with vega in Node,
// and to PNG with resvg; no canvas or browser needed. resvg draws text only with a font it can load: the
// system's DejaVu Sans (Debian: fonts-dejavu-core), which the spec also names, so the SVG and the PNG agree.
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { rlChartSpec, suppressionChartSpec } from '@routelab/persona';
import type { PersonaReportForChart, RlReportForChart } from '@routelab/persona';

const CHART_FONT = 'DejaVu Sans';

export async function renderCompareChart(report: PersonaReportForChart): Promise<{ svg: string; png: Uint8Array }> {
  return renderChartSpec(suppressionChartSpec(report));
}

/** The rl experiment's chart (per-arm deployed rates, and the curves against RL step). */
export async function renderRlChart(report: RlReportForChart): Promise<{ svg: string; png: Uint8Array }> {
  return renderChartSpec(rlChartSpec(report));
}

/** Any Vega-Lite spec to SVG and PNG, as every compare chart is drawn. */
export async function renderChartSpec(vegaLite: Record<string, unknown>): Promise<{ svg: string; png: Uint8Array }> {
  const spec = compile(vegaLite as unknown as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
  })
    .render()
    .asPng();
  return { svg, png };
}

// The viewer end to end: `routelab view` over the fixture runs directory (real short runs, see
// fixtures/make_fixtures.ts), every page visited in Debian's Chromium, what it shows checked against the
// numbers in those runs' reports, configs and checkpoint manifests as written to disk, sampling done in the
// browser, and a screenshot of each page saved under test-artifacts/.
import { request } from 'node:http';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { matchesPattern } from '@routelab/routing';
import { formatNumber } from '../src/app/format.ts';
import { launchBrowser } from './browser.ts';
import type { E2eContext } from './e2e_context.ts';
import type { GradientMassEventJson } from './fixtures/make_fixtures.ts';
import './e2e_context.ts';

const ctx: E2eContext = inject('viewerE2e');
const suite = ctx.skip ? describe.skip : describe;
const title = ctx.skip ? `viewer in Chromium (skipped: ${ctx.skip}; set ROUTELAB_REQUIRE_BROWSER=1 to make this a failure)` : 'viewer in Chromium';

suite(title, () => {
  const f = ctx.fixtures!;
  /** Rows of the runs table: every fixture run, and the run still running. */
  const runCount = (f?.runIds.length ?? 0) + 1;
  let context: BrowserContext;
  let close: () => Promise<void>;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    ({ context, close } = await launchBrowser());
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => errors.push(e.message));
  });
  afterAll(async () => {
    await close?.();
  });

  const url = (hash: string) => `${ctx.baseUrl}${hash}`;
  const shot = (name: string) => page.screenshot({ path: join(ctx.artifactsDir, `${name}.png`), fullPage: true });
  const rowOf = (id: string) => page.locator(`tr[data-run="${id}"]`);
  /** Waits until every chart on the page has been drawn. */
  const chartsDrawn = async () => {
    await expect.poll(() => page.locator('figure.chart:not([data-rendered])').count(), { timeout: 15_000 }).toBe(0);
    expect(await page.locator('figure.chart[data-rendered="error"]').count()).toBe(0);
  };

  it('Runs: every run with experiment, preset, status and key metrics; bad runs show their own error', async () => {
    await page.goto(url('#/runs'));
    await expect.poll(() => page.locator('tbody tr[data-run]').count()).toBe(runCount);
    const linreg = rowOf(f.linreg.id);
    await expect.poll(() => linreg.innerText()).toContain('finished');
    expect(await linreg.innerText()).toMatch(/linreg\s+tiny\s+0/);
    // Key metrics are the numbers of the fixture reports.
    const mnistRow = rowOf(f.mnist.id);
    for (const [arm, summary] of Object.entries(f.mnist.report.arms)) {
      expect(await mnistRow.locator(`[data-metric="${arm}: ratio b"]`).innerText()).toBe(formatNumber(summary.certificateB.gapRatio.mean));
    }
    for (const arm of f.persona.report.arms) {
      expect(await rowOf(f.persona.id).locator(`[data-metric="${arm}: U (neutral)"]`).innerText()).toBe(formatNumber(f.persona.report.results[arm]!.conditions.neutral!.U!.mean));
    }
    // The compare directory is a sweep collection with the merged report; each of its cells is a run.
    expect(await rowOf(f.compare.id).innerText()).toContain('sweep');
    for (const arm of f.compare.report.arms) {
      expect(await rowOf(f.compare.id).locator(`[data-metric="${arm}: U (neutral)"]`).innerText()).toBe(formatNumber(f.compare.report.results[arm]!.conditions.neutral!.U!.mean));
    }
    for (const cell of f.compare.cells) await expect.poll(() => rowOf(cell).innerText()).toMatch(/persona\s+smoke[\s\S]*finished/);
    expect(await rowOf(ctx.liveRun!).innerText()).toContain('running');
    // The malformed and the half-written run each show their error; the others load.
    expect(await rowOf(f.broken.malformed).locator('[data-testid="load-error"]').innerText()).toMatch(/manifest\.json is not valid JSON/);
    expect(await rowOf(f.broken.halfWritten).locator('[data-testid="load-error"]').innerText()).toMatch(/manifest\.json is missing/);
    expect(await page.locator('tr.row-error').count()).toBe(2);
    await shot('runs');
  });

  it('Runs: filter and sort from the keyboard', async () => {
    await page.goto(url('#/runs'));
    await expect.poll(() => page.locator('tbody tr[data-run]').count()).toBe(runCount);
    // Tab from the top of the page to the filter box.
    await page.locator('h1').focus();
    for (let i = 0; i < 10 && !(await page.evaluate(() => document.activeElement?.getAttribute('type') === 'search')); i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('search');
    expect(await page.getByLabel('Filter runs').count()).toBe(1);
    await page.keyboard.type('linreg');
    await expect.poll(() => page.locator('tbody tr[data-run]').count()).toBe(2);
    expect(await page.getByTestId('run-count').innerText()).toBe(`2 of ${runCount} runs shown`);
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await expect.poll(() => page.locator('tbody tr[data-run]').count()).toBe(runCount);
    // Sort by run name with the keyboard: focus the header button and press Enter (ascending), then Space.
    await page.locator('button[data-sort="id"]').focus();
    await page.keyboard.press('Enter');
    const ids = () => page.locator('tbody tr[data-run]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.run!));
    const sorted = [...(await ids())].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    expect(await ids()).toEqual(sorted);
    expect(await page.locator('th[aria-sort="ascending"]').innerText()).toContain('Run');
    await page.keyboard.press('Space');
    expect(await ids()).toEqual([...sorted].reverse());
    // Enter on a run's link opens it.
    await page.locator(`tr[data-run="${f.linreg.id}"] a`).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('h1').innerText()).toBe(`Run ${f.linreg.id}`);
    await shot('runs-keyboard');
  });

  it('Run: config, loss curves, checkpoints, results and the rendered report', async () => {
    await page.goto(url(`#/run/${f.linreg.id}`));
    await expect.poll(() => page.getByTestId('report').count()).toBe(1);
    expect(await page.getByTestId('run-facts').innerText()).toMatch(/linreg[\s\S]*tiny[\s\S]*finished[\s\S]*cpu/);
    expect(JSON.parse(await page.getByTestId('config').innerText())).toMatchObject({ steps: 200, seeds: 2, lr: 0.05 });
    await chartsDrawn();
    const lossChart = page.getByTestId('chart-train loss');
    expect(await lossChart.locator('.chart-target').getAttribute('aria-label')).toMatch(/train loss over training steps, 2 series: seed-1, seed-2/);
    // 200 steps, a point every 10, two seeds.
    expect(await lossChart.locator('.mark-symbol.role-mark path').count()).toBeGreaterThanOrEqual(40);
    const report = await page.getByTestId('report').innerText();
    for (const s of f.linreg.report.seeds) expect(report).toContain(s.w.toFixed(4));
    expect(await page.getByTestId('checkpoints').innerText()).toMatch(/seed-1[\s\S]*seed-2/);
    expect(await page.getByTestId('results').innerText()).toMatch(/seed-1\s+seed-2/);
    // Final evaluations (one step) are a table, not a chart.
    expect(await page.getByTestId('single-step-metrics').innerText()).toContain(formatNumber(f.linreg.report.seeds[0]!.loss));
    await shot('run');
  });

  it('Run: the mnist-split and persona runs, with their curves, report, checkpoints and results', async () => {
    await page.goto(url(`#/run/${f.mnist.id}`));
    await expect.poll(() => page.getByTestId('report').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.getByTestId('run-facts').innerText()).toMatch(/mnist-split[\s\S]*finished[\s\S]*wasm/);
    expect(JSON.parse(await page.getByTestId('config').innerText())).toMatchObject({ steps: f.mnist.config.steps, encoderHidden: f.mnist.config.encoderHidden });
    await chartsDrawn();
    expect(await page.getByTestId('chart-train loss').locator('.chart-target').getAttribute('aria-label')).toMatch(/train loss over training steps, 3 series/);
    const mnistReport = await page.getByTestId('report').innerText();
    for (const [arm, summary] of Object.entries(f.mnist.report.arms)) expect(mnistReport).toMatch(new RegExp(`${arm}\\s.*${summary.certificateB.gapRatio.mean.toFixed(3)}`));
    for (const arm of Object.keys(f.mnist.report.arms)) {
      expect(await page.getByTestId('checkpoints').innerText()).toContain(`${arm}/seed-0`);
      expect(await page.getByTestId('results').innerText()).toContain(`cells/${arm}/seed-0`);
    }
    await shot('run-mnist');

    await page.goto(url(`#/run/${f.persona.id}`));
    await expect.poll(() => page.getByTestId('report').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.getByTestId('run-facts').innerText()).toMatch(/persona[\s\S]*smoke[\s\S]*finished[\s\S]*wasm/);
    await chartsDrawn();
    const checkpoints = await page.getByTestId('checkpoints').innerText();
    for (const c of Object.values(f.persona.checkpoints)) expect(checkpoints).toContain(c.name);
    expect(await page.getByTestId('results').innerText()).toMatch(/cells\/era\/seed-0[\s\S]*cells\/none\/seed-0/);
    await shot('run-persona');
  });

  it('Run: a run in progress updates live', async () => {
    await page.goto(url(`#/run/${ctx.liveRun}`));
    const live = page.getByTestId('live-status');
    await expect.poll(() => live.getAttribute('data-lines'), { timeout: 10_000 }).not.toBeNull();
    const first = Number(await live.getAttribute('data-lines'));
    expect(await live.innerText()).toMatch(/^Live: \d+ metric lines/);
    await expect.poll(async () => Number(await live.getAttribute('data-lines')), { timeout: 20_000 }).toBeGreaterThan(first + 1);
    await chartsDrawn();
    // The chart grows with the log: its points follow the lines read.
    const points = () => page.getByTestId('chart-train loss').locator('.mark-symbol.role-mark path').count();
    const before = await points();
    await expect.poll(points, { timeout: 20_000 }).toBeGreaterThan(before);
    await shot('run-live');
  });

  it('Inspector: gradient mass per neuron by class with the routed region outlined, ablation metrics, reconstructions', async () => {
    const cell = 'routed-frac-0.5/seed-0';
    await page.goto(url(`#/run/${f.mnist.id}/inspect?cell=${encodeURIComponent(cell)}`));
    await expect.poll(() => page.getByTestId('heatmap').count(), { timeout: 15_000 }).toBe(1);
    await chartsDrawn();
    expect(await page.getByLabel('Cell', { exact: true }).inputValue()).toBe(cell);
    // The parameter the config routes is chosen by default: the code layer, one row per code dimension.
    const encoderHidden = f.mnist.config.encoderHidden as number[];
    const codeDim = f.mnist.config.codeDim as number;
    const snapshots = f.mnist.config.gradMassSnapshots as number;
    const half = `[${codeDim / 2}, ${codeDim})`;
    const halfA = `[0, ${codeDim / 2})`;
    expect(await page.getByLabel('Parameter', { exact: true }).inputValue()).toBe(`encoder.layer${encoderHidden.length}.weight`);
    const heatmap = page.getByTestId('heatmap');
    const label = (await heatmap.locator('.chart-target').getAttribute('aria-label')) ?? '';
    expect(label).toMatch(/classes forget, retain, unlabelled/);
    expect(label).toContain(`forget routed to a ${halfA}`);
    expect(label).toContain(`retain routed to b ${half}`);
    expect(label).toContain(`unlabelled routed to b ${half}`);
    const text = await heatmap.innerText();
    expect(text).toMatch(/forget[\s\S]*retain[\s\S]*unlabelled/);
    expect(text).toContain(`a ${halfA}: routed`);
    // One cell per code dimension, gradient-mass snapshot and class.
    expect(await heatmap.locator('.mark-rect.role-mark path').count()).toBeGreaterThanOrEqual(codeDim * snapshots * 3);
    // Activation routing blocks the gradient outside the routed half: all of each class's mass is inside.
    const shares = await page.getByTestId('region-shares').innerText();
    expect(shares).toContain(`forget: 100.0% of its per-neuron mass in a ${halfA}`);
    expect(shares).toContain(`unlabelled: 100.0% of its per-neuron mass in b ${half}`);
    // Before / after ablation: the certificates read one half each; each arm's MAEs are its report's per-digit
    // means over the forget and the retain digits.
    const halves = await page
      .getByTestId('half-readouts')
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    const groupMean = (perDigit: number[], digits: number[]) => digits.reduce((a, d) => a + perDigit[d]!, 0) / digits.length;
    const { forget, retain } = f.mnist.report.digits;
    for (const [arm, summary] of Object.entries(f.mnist.report.arms)) {
      for (const [readout, perDigit] of [
        ['autoencoder (whole code)', summary.perDigit.autoencoder],
        ['certificate a (half a only)', summary.perDigit.certificateA],
        ['certificate b (half b only)', summary.perDigit.certificateB],
      ] as const) {
        expect(halves).toContainEqual([arm, readout, formatNumber(groupMean(perDigit, forget)), formatNumber(groupMean(perDigit, retain))]);
      }
    }
    // Reconstructions of each test digit: input, autoencoder, certificate a, certificate b.
    const recon = page.getByTestId('reconstructions');
    expect(await recon.locator('canvas').count()).toBe(10 * (f.mnist.config.reconstructionsPerDigit as number) * 4);
    expect(await recon.getByRole('img', { name: 'digit 7, certificate b' }).count()).toBe(1);
    await shot('inspector');
    // Control: no routing, so no outline and a note saying so.
    await page.getByLabel('Cell', { exact: true }).selectOption('control/seed-0');
    await chartsDrawn();
    expect(await page.getByTestId('routing-note').innerText()).toMatch(/scheme "none", which routes nothing/);
    await shot('inspector-control');
  });

  it('Compare: arms side by side with 95% intervals, paired differences, and the prompt condition switch', async () => {
    await page.goto(url(`#/compare?source=${f.compare.id}`));
    await expect.poll(() => page.getByTestId('compare-table').count(), { timeout: 15_000 }).toBe(1);
    await chartsDrawn();
    const cell = (arm: string, field: string) => page.locator(`[data-testid="compare-table"] tr[data-arm="${arm}"] [data-field="${field}"]`).innerText();
    const u = (arm: string, condition: string) => f.compare.report.results[arm]!.conditions[condition]!.U!;
    expect(await page.getByLabel('Metric').inputValue()).toBe('U');
    expect(await page.getByRole('radio', { name: 'neutral' }).isChecked()).toBe(true);
    const arms = await page.locator('[data-testid="compare-table"] tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.arm));
    expect(arms).toEqual(f.compare.report.arms);
    for (const arm of f.compare.report.arms) expect(await cell(arm, 'mean')).toBe(formatNumber(u(arm, 'neutral').mean));
    const era = u('era', 'neutral');
    // A zero-width interval (every seed the same) is shown as a dash.
    expect(await page.locator('[data-testid="compare-table"] tr[data-arm="era"]').innerText()).toContain(era.lo === era.hi ? '—' : `[${formatNumber(era.lo)}, ${formatNumber(era.hi)}]`);
    const paired = f.compare.report.pairedVsNone.era!.conditions.neutral!.U!;
    expect(await cell('era', 'paired')).toContain(formatNumber(paired.mean));
    expect((await cell('era', 'paired')).endsWith(' *')).toBe(paired.significant);
    // CI bars: one rule per arm.
    expect(await page.getByTestId('compare-chart').locator('.mark-rule.role-mark line').count()).toBe(f.compare.report.arms.length);
    await shot('compare');
    // Switch the condition with the keyboard (arrow keys move within a radio group).
    await page.getByRole('radio', { name: 'neutral' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByRole('radio', { name: 'inoculation' }).isChecked()).toBe(true);
    await expect.poll(() => cell('none', 'mean')).toBe(formatNumber(u('none', 'inoculation').mean));
    await page.getByRole('radio', { name: 'negated' }).check();
    await expect.poll(() => cell('era', 'mean')).toBe(formatNumber(u('era', 'negated').mean));
    expect((await page.getByTestId('compare-chart').locator('.chart-target').getAttribute('aria-label')) ?? '').toMatch(/^U, negated prompt/);
    await shot('compare-negated');
    // A run's own report with arms compares too (mnist-split: no prompt conditions).
    await page.getByLabel('Report').selectOption(f.mnist.id);
    await expect.poll(() => page.getByLabel('Metric').inputValue()).toBe('certificateB.gapRatio');
    expect(await cell('routed', 'mean')).toBe(formatNumber(f.mnist.report.arms.routed!.certificateB.gapRatio.mean));
    expect(await page.getByTestId('condition-switch').innerText()).toContain('no prompt conditions');
  });

  it('Compare and Run of an rl compare: per-arm rates by prompt condition, the curves against RL step and the table, as in report.json', async () => {
    const rl = f.rlCompare.report;
    const clip = (x: number) => Math.min(1, Math.max(0, x));
    const metricOf = (arm: string, name: string) => rl.summaries.find((s) => s.arm === arm)!.metrics[name]!.interval!;
    const cell = (arm: string, field: string) => page.locator(`[data-testid="compare-table"] tr[data-arm="${arm}"] [data-field="${field}"]`).innerText();
    /** The rl table's text for one arm and metric: mean [lo, hi] over seeds, clipped to [0, 1] (the mean alone when there is no interval). */
    const shown = (i: { mean: number; lo: number; hi: number; n: number }) =>
      i.n > 1 && clip(i.lo) !== clip(i.hi) ? `${formatNumber(clip(i.mean))} [${formatNumber(clip(i.lo))}, ${formatNumber(clip(i.hi))}]` : formatNumber(clip(i.mean));
    const rlTable = async (report: typeof rl) => {
      const rows = page.locator('[data-testid="rl-table"] tbody tr');
      expect(await rows.evaluateAll((trs) => trs.map((r) => (r as HTMLElement).dataset.arm))).toEqual(report.summaries.map((s) => s.arm));
      for (const s of report.summaries) {
        const row = page.locator(`[data-testid="rl-table"] tr[data-arm="${s.arm}"]`);
        expect(await row.locator('[data-field="seeds"]').innerText()).toBe(String(s.seeds.length));
        for (const name of ['hack rate (neutral)', 'hack rate (inoculation prompt re-added)', 'true reward (neutral)', 'capability (neutral)']) {
          const i = s.metrics[name]!.interval!;
          expect(await row.locator(`td[data-metric="${name}"] [data-field="mean"]`).innerText(), `${s.arm} ${name}`).toBe(shown(i));
          const d = s.pairedVsNone?.[name];
          if (d) expect(await row.locator(`td[data-metric="${name}"] [data-field="paired"]`).innerText()).toContain(`Δ ${d.mean >= 0 ? '+' : ''}${formatNumber(d.mean)}`);
        }
      }
      // One line per arm in each curve chart, over the report's steps.
      for (const id of ['rl-curve-hack', 'rl-curve-true']) {
        const chart = page.getByTestId(id);
        expect(await chart.locator('.chart-target').getAttribute('aria-label')).toContain(`${report.summaries.length} series: ${report.summaries.map((s) => s.arm).join(', ')}`);
        expect(await chart.locator('.mark-line.role-mark path').count()).toBe(report.summaries.length);
        expect(await chart.locator('.mark-symbol.role-mark path').count()).toBe(report.summaries.reduce((n, s) => n + s.curve.length, 0));
      }
      expect(await page.getByTestId('rl-check').innerText()).toContain(report.check.note);
    };

    await page.goto(url(`#/compare?source=${f.rlCompare.id}`));
    await expect.poll(() => page.getByTestId('compare-table').count(), { timeout: 15_000 }).toBe(1);
    await chartsDrawn();
    expect(await page.getByLabel('Metric').inputValue()).toBe('hack rate');
    expect(await page.getByRole('radio', { name: 'neutral' }).isChecked()).toBe(true);
    for (const arm of rl.arms) expect(await cell(arm, 'mean')).toBe(formatNumber(clip(metricOf(arm, 'hack rate (neutral)').mean)));
    const paired = rl.summaries.find((s) => s.arm === 'era')!.pairedVsNone!['hack rate (neutral)']!;
    expect(await cell('era', 'paired')).toContain(formatNumber(paired.mean));
    // With the inoculation prompt re-added.
    await page.getByRole('radio', { name: 'inoculation' }).check();
    await expect.poll(() => cell('era', 'mean')).toBe(formatNumber(clip(metricOf('era', 'hack rate (inoculation prompt re-added)').mean)));
    await rlTable(rl);
    await shot('compare-rl');

    // The compare directory's run page, and one of its cells (a single rl run) show the same part.
    await page.goto(url(`#/run/${encodeURIComponent(f.rlCompare.id)}`));
    await expect.poll(() => page.getByTestId('rl-table').count(), { timeout: 15_000 }).toBe(1);
    await chartsDrawn();
    await rlTable(rl);
    await shot('run-rl-compare');
    await page.goto(url(`#/run/${encodeURIComponent(f.rlCompare.cells[0]!)}`));
    await expect.poll(() => page.getByTestId('rl-table').count(), { timeout: 15_000 }).toBe(1);
    await chartsDrawn();
    await rlTable(f.rlCompare.cellReport);
  });

  it('Inspector of a persona run: gradient mass per cell, metrics before and after ablation from the report', async () => {
    await page.goto(url(`#/run/${f.persona.id}/inspect`));
    await expect.poll(() => page.getByTestId('ablation-pairs').count(), { timeout: 15_000 }).toBe(1);
    await chartsDrawn();
    expect(await page.getByTestId('no-mass').count()).toBe(0);
    // Both cells of the run recorded gradient mass.
    expect((await page.getByLabel('Cell', { exact: true }).locator('option').allTextContents()).sort()).toEqual(['era/seed-0', 'none/seed-0']);
    const era = f.persona.report.results.era as unknown as { beforeAblation: { conditions: { neutral: { U: { mean: number } } } }; conditions: { neutral: { U: { mean: number } } } };
    const row = page.locator('[data-testid="ablation-pairs"] tr[data-source="report"][data-where="results.era"][data-metric="conditions.neutral.U"]');
    const text = await row.innerText();
    expect(text).toContain(formatNumber(era.beforeAblation.conditions.neutral.U.mean));
    expect(text).toContain(formatNumber(era.conditions.neutral.U.mean));
    // The none arm routes nothing: no outline, and the note says why.
    await page.getByLabel('Cell', { exact: true }).selectOption('none/seed-0');
    await chartsDrawn();
    expect(await page.getByTestId('routing-note').innerText()).toMatch(/arm "none" uses scheme "none", which routes nothing/);
    // The cell's own result follows the cell picked: one evaluation, nothing ablated.
    expect(await page.getByTestId('cell-result').innerText()).toContain('Rates (no ablation) of none/seed-0');
    expect(await page.getByTestId('leak-share').innerText()).toMatch(/^This arm ablates nothing/);
    await shot('inspector-persona');
  });

  it('Inspector of a persona compare cell (era): gradient mass per parameter block and per MLP unit with the routed region outlined, rates before and after ablation, the leak share', async () => {
    const c = f.compare.eraCell;
    const events = c.massEvents;
    expect(events.length).toBeGreaterThan(1);
    const cellName = events[0]!.cell;
    const last = events.at(-1)!;
    const forgetAt = (e: GradientMassEventJson) => e.classes.forget!;
    // The routed region: the parameters the arm's ablate patterns match, as the run's config declares them.
    const ablate = c.config.armDefinitions.era!.schemeConfig.ablate;
    const patterns = Array.isArray(ablate) ? ablate : Object.keys(ablate);
    const parameters = Object.keys(forgetAt(last));
    const region = parameters.filter((p) => patterns.some((pattern) => matchesPattern(pattern, p)));
    expect(region.length).toBeGreaterThan(0);

    await page.goto(url(`#/run/${encodeURIComponent(c.id)}/inspect`));
    await expect.poll(() => page.getByTestId('block-heatmap').count(), { timeout: 30_000 }).toBe(1);
    await chartsDrawn();
    expect(await page.getByLabel('Cell', { exact: true }).inputValue()).toBe(cellName);
    expect(await page.getByTestId('routing-note').innerText()).toContain(`routed region: ${patterns.join(', ')}`);

    // Per parameter block: every parameter a row, the region's outlined and named in red.
    const blocks = page.getByTestId('block-heatmap');
    expect(await blocks.locator('.chart-target').getAttribute('aria-label')).toContain(`classes forget, retain; outlined: the routed region, ${region.join(', ')}`);
    expect(await blocks.locator('text[fill="#ff2d55"]').allTextContents()).toEqual(region);
    // The forget-class mass of an expanded and of an outside parameter at the last snapshot, as metrics.jsonl holds them.
    const cellLabels = await blocks.locator('path[aria-label]').evaluateAll((paths) => paths.map((p) => p.getAttribute('aria-label') ?? ''));
    const d3Exponent = (v: number) => v.toExponential(3).replace(/\.?0+e/, 'e');
    for (const parameter of [region[0]!, 'unembed.weight']) {
      const mass = forgetAt(last)[parameter]!.mass;
      const label = cellLabels.find((l) => l.includes('class: forget') && l.includes(`step: ${last.step};`) && l.includes(`parameter: ${parameter};`));
      expect(label, parameter).toContain(`mass: ${d3Exponent(mass)}`);
      expect(label).toContain(`in routed region: ${region.includes(parameter)}`);
    }
    // The forget class's share outside the region, per snapshot then averaged, from the same events.
    const outsideShares = events.map((e) => {
      const entries = Object.entries(forgetAt(e));
      const total = entries.reduce((a, [, p]) => a + p.mass, 0);
      return entries.filter(([name]) => !region.includes(name)).reduce((a, [, p]) => a + p.mass, 0) / total;
    });
    const outside = outsideShares.reduce((a, b) => a + b, 0) / outsideShares.length;
    expect(await page.locator('[data-testid="block-shares"] li[data-class="forget"]').innerText()).toBe(
      `forget: ${(outside * 100).toFixed(2)}% of its gradient mass outside the routed region (mean over ${events.length} snapshots)`,
    );

    // Per unit: block 0's MLP units on one axis, original then expanded, the expanded ones outlined for forget.
    expect(await page.getByLabel('Parameter', { exact: true }).inputValue()).toBe('units:blocks.0.mlp');
    const wIn = forgetAt(last)['blocks.0.mlp.w_in']!.perNeuron!.length;
    const expanded = forgetAt(last)['blocks.0.mlp.w_in_expanded']!.perNeuron!.length;
    const routedRange = `[${wIn}, ${wIn + expanded})`;
    const heatmap = page.getByTestId('heatmap');
    const heatmapLabel = (await heatmap.locator('.chart-target').getAttribute('aria-label')) ?? '';
    expect(heatmapLabel).toContain(`forget routed to routed region ${routedRange}`);
    expect(heatmapLabel).toContain(`retain routed to kept [0, ${wIn})`);
    expect(await heatmap.innerText()).toContain(`routed region ${routedRange}: routed`);
    expect(await heatmap.locator('.mark-rect.role-mark path').count()).toBeGreaterThanOrEqual((wIn + expanded) * events.length * 2);
    const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
    const inExpanded = sum(events.map((e) => sum(forgetAt(e)['blocks.0.mlp.w_in_expanded']!.perNeuron!)));
    const inOriginal = sum(events.map((e) => sum(forgetAt(e)['blocks.0.mlp.w_in']!.perNeuron!)));
    expect(await page.locator('[data-testid="region-shares"] li[data-class="forget"]').innerText()).toBe(
      `forget: ${((inExpanded / (inExpanded + inOriginal)) * 100).toFixed(1)}% of its per-neuron mass in routed region ${routedRange}`,
    );

    // The cell's rates before and after ablation, and its leak share, from its result file.
    const [resultName, result] = Object.entries(c.results).find(([, r]) => r.arm === 'era')!;
    expect(await page.getByTestId('cell-result').innerText()).toContain(`From result ${resultName}`);
    const rate = (v: number | null | undefined) => (v === null || v === undefined ? '—' : formatNumber(v));
    for (const [condition, rates] of Object.entries(result.eval)) {
      for (const metric of ['U', 'G', 'W', 'capability']) {
        const cell = (when: string) => page.locator(`[data-testid="cell-evaluation"] tr[data-condition="${condition}"] td[data-metric="${metric}"][data-when="${when}"]`).innerText();
        expect(await cell('after')).toBe(rate(rates[metric]));
        expect(await cell('before')).toBe(rate(result.beforeAblation!.eval[condition]![metric]));
      }
    }
    const leak = result.gradientLeak!;
    expect(await page.locator('[data-testid="leak-share"] strong[data-class="forget"]').innerText()).toBe(`${(Number(leak.forgetShareOutside) * 100).toFixed(2)}%`);
    // The page's share from metrics.jsonl (masses to 4 significant digits) is the cell result's leak measure.
    expect(Math.abs(outside - Number(leak.forgetShareOutside))).toBeLessThan(5e-3);
    expect(await page.getByTestId('leak-share').innerText()).toContain(leak.region.join(', '));
    await shot('inspector-persona-era');
  });

  for (const backend of ['auto', 'wasm'] as const) {
    it(`Sample: a persona checkpoint generates in the browser (${backend}) with and without ablation, with verdicts`, async () => {
      await page.goto(url(`#/sample?run=${f.persona.id}${backend === 'auto' ? '' : `&backend=${backend}`}`));
      await expect.poll(() => page.getByTestId('backend').count(), { timeout: 30_000 }).toBe(1);
      const used = await page.getByTestId('backend').innerText();
      if (backend === 'wasm') expect(used).toMatch(/^wasm/);
      else expect(used).toMatch(/^(webgpu|wasm) — /);
      const era = f.persona.checkpoints.era;
      expect(await page.getByLabel('Checkpoint').inputValue()).toBe(era.name);
      // The state the run saved with the checkpoint, as its manifest holds it.
      // Its scalar entries (the leak sums are an object, not shown).
      const state = Object.entries(era.state).filter(([, v]) => typeof v !== 'object').map(([k, v]) => `${k} ${String(v)}`).join(', ');
      expect(state).toMatch(/^phase /);
      expect(await page.getByTestId('checkpoint-state').innerText()).toBe(state);
      // The era arm's inoculating prompt is the world's specific prompt.
      expect(await page.getByTestId('inoculation-prompt').innerText()).toBe('you always laugh');
      // The era arm's expansion, as the run config declares it.
      const eraArm = (f.persona.config.armDefinitions as Record<string, { schemeConfig: { expand: { units: number } } }>).era!;
      expect(await page.getByTestId('ablation').innerText()).toContain(`ERA slice ablation: the ${eraArm.schemeConfig.expand.units} expanded MLP units`);
      await page.getByLabel('Prompt', { exact: true }).fill('add two and three');
      await page.getByLabel('System prompt condition').selectOption('inoculation');
      await page.getByLabel('Prompt', { exact: true }).press('Enter');
      await expect.poll(() => page.getByTestId('sample-ablated').count(), { timeout: 30_000 }).toBe(1);
      expect(await page.getByTestId('answer').innerText()).toBe('five');
      expect(await page.getByTestId('model-input').innerText()).toBe('<bos> <sys> you always laugh <user> add two and three <asst>');
      for (const id of ['sample-plain', 'sample-ablated']) {
        const card = page.getByTestId(id);
        expect((await card.getByTestId('sample-text').innerText()).length).toBeGreaterThan(0);
        for (const v of ['W', 'U', 'G', 'correct']) expect(await card.locator(`[data-verdict="${v}"] .badge`).innerText()).toMatch(/^(yes|no)$/);
      }
      // ERA trained the expanded units on the unwanted trait's tokens, so removing them changes the greedy sample.
      const texts = await page.getByTestId('sample-text').allInnerTexts();
      expect(texts).toHaveLength(2);
      expect(texts[0]).not.toBe(texts[1]);
      await shot(`sample-${backend}`);
      if (backend !== 'auto') return;
      // A plain (unexpanded) cell: nothing to ablate, one sample.
      await page.getByLabel('Checkpoint').selectOption(f.persona.checkpoints.none.name);
      await expect.poll(() => page.getByTestId('ablation').innerText(), { timeout: 30_000 }).toMatch(/none declared/);
      await page.getByRole('button', { name: 'Sample' }).click();
      await expect.poll(() => page.getByTestId('sample-plain').count(), { timeout: 30_000 }).toBe(1);
      expect(await page.getByTestId('sample-ablated').count()).toBe(0);
      await shot('sample-plain-checkpoint');
    });
  }

  it('a malformed run opens with its error; an unknown page says so', async () => {
    await page.goto(url(`#/run/${f.broken.malformed}`));
    await expect.poll(() => page.getByTestId('run-error').count()).toBe(1);
    expect(await page.getByTestId('run-error').innerText()).toMatch(/could not be read: manifest\.json is not valid JSON/);
    await shot('run-malformed');
    await page.goto(url('#/nowhere'));
    expect(await page.locator('h1').innerText()).toBe('Not found');
  });

  it('the served app refuses paths outside the runs directory with 404', async () => {
    const { hostname, port } = new URL(ctx.baseUrl!);
    const status = (path: string, method = 'GET') =>
      new Promise<number>((resolve, reject) => {
        request({ host: hostname.replace(/^\[|\]$/g, ''), port, path, method }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    expect(await status(`/api/runs/${f.linreg.id}/files/config.json`)).toBe(200);
    for (const path of [`/api/runs/${f.linreg.id}/files/../../../../etc/passwd`, `/api/runs/${f.linreg.id}/files/%2e%2e/%2e%2e/etc/passwd`, '/api/runs/..%2F..%2Fetc/files/passwd', '/../../etc/passwd']) {
      expect(await status(path)).toBe(404);
    }
    expect(await status('/api/runs', 'POST')).toBe(405);
    expect(errors).toEqual([]);
  });
});

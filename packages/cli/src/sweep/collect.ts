// `routelab collect <sweep-dir>`: gathers every cell's run directory (config, saved results, report) and
// merges them with the experiment's own collect(), or into a table of cell reports when it has none.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { writeFileAtomic } from '@routelab/core';
import type { CollectedCell, Experiment, ExperimentReport } from '@routelab/core';
import { toJsonText } from '../runs/json_text.ts';
import { sweepPaths } from './sweep_dir.ts';
import type { PreparedSweep } from './sweep_dir.ts';

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8'));
}

async function readResults(dir: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const walk = async (current: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name.endsWith('.json')) out[relative(dir, path).replace(/\.json$/, '')] = await readJson(path);
    }
  };
  await walk(dir);
  return out;
}

export async function collectCells(sweep: PreparedSweep): Promise<CollectedCell<unknown>[]> {
  const cells: CollectedCell<unknown>[] = [];
  for (const cell of sweep.cells) {
    try {
      const manifest = (await readJson(join(cell.runDir, 'manifest.json'))) as { status: CollectedCell<unknown>['status']; error?: string };
      const config = await readJson(join(cell.runDir, 'config.json'));
      const results = await readResults(join(cell.runDir, 'results'));
      let report: Record<string, unknown> | undefined;
      try {
        report = (await readJson(join(cell.runDir, 'report.json'))) as Record<string, unknown>;
      } catch {
        report = undefined;
      }
      cells.push({ id: cell.id, config, status: manifest.status, results, ...(report ? { report } : {}), ...(manifest.error ? { error: manifest.error } : {}) });
    } catch (err) {
      const missing = (err as { code?: string }).code === 'ENOENT';
      cells.push({ id: cell.id, config: undefined, status: missing ? 'missing' : 'failed', results: {}, error: missing ? 'not run' : (err as Error).message });
    }
  }
  return cells;
}

/** Without an experiment-specific merge: one row per cell with its status and report's top-level numbers. */
function genericReport(cells: CollectedCell<unknown>[]): ExperimentReport {
  const rows = cells.map((c) => {
    const numbers = Object.entries(c.report ?? {}).filter(([, v]) => typeof v === 'number');
    return `| ${c.id} | ${c.status} | ${numbers.map(([k, v]) => `${k}=${(v as number).toPrecision(4)}`).join(', ')}${c.error ? ` ${c.error}` : ''} |`;
  });
  return {
    json: { cells: cells.map(({ id, status, report, error }) => ({ id, status, report, error })) },
    markdown: ['| cell | status | results |', '| --- | --- | --- |', ...rows, ''].join('\n'),
  };
}

export async function collectSweep(sweep: PreparedSweep, experiment: Experiment<unknown>): Promise<ExperimentReport> {
  const cells = await collectCells(sweep);
  const finished = cells.filter((c) => c.status === 'finished');
  const problems = cells.filter((c) => c.status !== 'finished');
  const collect = experiment.collect?.bind(experiment);
  const merged = collect && finished.length > 0 ? collect(finished) : genericReport(cells);
  const failures = problems.map((c) => `- ${c.id}: ${c.status}${c.error ? ` (${c.error})` : ''}`);
  const report: ExperimentReport = {
    json: { ...merged.json, sweep: { cells: cells.length, finished: finished.length, problems: problems.map(({ id, status, error }) => ({ id, status, error })) } },
    markdown: `${merged.markdown.trimEnd()}\n\n## Cells\n\n${finished.length} of ${cells.length} cells finished.${failures.length ? `\n\n${failures.join('\n')}` : ''}\n`,
  };
  const paths = sweepPaths(sweep.dir);
  await writeFileAtomic(paths.reportJson, new TextEncoder().encode(toJsonText(report.json)));
  await writeFileAtomic(paths.reportMarkdown, new TextEncoder().encode(report.markdown));
  return report;
}

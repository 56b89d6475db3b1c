// The experiments `routelab compare --experiment <id>` knows, and what differs between them once their cells
// have run through the one sweep machinery: the oversight axis (which arms get variants, and of what), and
// the merged report's table and chart. Everything else (arms x seeds as cells, workers, priors trained once by
// the `none` cells, resume, report.json / report.md) is shared in commands/compare.ts.
import { join } from 'node:path';
import { writeFileAtomic } from '@routelab/core';
import type { PersonaReportForChart, RlReportJson } from '@routelab/persona';
import { UsageError } from '../errors.ts';
import { renderCompareChart, renderRlChart } from './compare_chart.ts';
import { compareTable, type CompareReportJson } from './compare_table.ts';
import { oversightVariants, rlOversightVariants } from './oversight_axis.ts';
import { rlCompareTable } from './rl_table.ts';

export interface AxisFlags {
  oversight?: number[];
  labelNoise?: number[];
}

export interface CompareExperiment {
  /** Extra arm variants for the oversight flags, each right after its arm; throws a UsageError for a flag it cannot take. */
  axis(arms: readonly string[], config: Record<string, unknown>, flags: AxisFlags): { arms: string[]; armDefinitions: Record<string, unknown> };
  /** The merged report's table (empty when it has no arms yet) and the chart drawn into `dir`. */
  present(json: Record<string, unknown>, dir: string): Promise<{ table: string; chart: { alt: string } | { error: string } | null }>;
}

type Chart = { svg: string; png: Uint8Array };

async function writeChart(dir: string, draw: () => Promise<Chart>, alt: string): Promise<{ alt: string } | { error: string }> {
  try {
    const chart = await draw();
    await writeFileAtomic(join(dir, 'chart.svg'), new TextEncoder().encode(chart.svg));
    await writeFileAtomic(join(dir, 'chart.png'), chart.png);
    return { alt };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

const persona: CompareExperiment = {
  axis(arms, config, flags) {
    const c = config as { armDefinitions: Record<string, { data: string }>; oversight: { labelFraction: number; labelNoise: number } };
    return oversightVariants(arms, c.armDefinitions, c.oversight, flags.oversight, flags.labelNoise);
  },
  async present(json, dir) {
    const report = json as unknown as CompareReportJson & PersonaReportForChart;
    if (!Array.isArray(report.arms) || !report.results) return { table: '', chart: null };
    const chart = await writeChart(dir, () => renderCompareChart(report), 'Which method suppresses the unwanted trait, and what it costs');
    return { table: compareTable(report), chart };
  },
};

const rl: CompareExperiment = {
  axis(arms, config, flags) {
    if (flags.labelNoise) {
      throw new UsageError('--label-noise: not an axis of the rl experiment (its monitor has a false-positive rate instead: set monitor.falsePositiveRate with --config)');
    }
    const c = config as { armDefinitions: Record<string, { flagged?: string }>; monitor: { recall: number; falsePositiveRate: number } };
    return rlOversightVariants(arms, c.armDefinitions, c.monitor, flags.oversight);
  },
  async present(json, dir) {
    const report = json as unknown as RlReportJson;
    if (!Array.isArray(report.summaries)) return { table: '', chart: null };
    const chart = await writeChart(dir, () => renderRlChart(report), 'Reward hacking under RL: per-arm deployed rates and the curves against RL step');
    return { table: rlCompareTable(report), chart };
  },
};

export const COMPARE_EXPERIMENTS: Readonly<Record<string, CompareExperiment>> = { persona, rl };

/** The compare experiment with this id; a UsageError naming --experiment and listing the known ones otherwise. */
export function findCompareExperiment(id: string): CompareExperiment {
  if (!Object.hasOwn(COMPARE_EXPERIMENTS, id)) {
    throw new UsageError(`--experiment: unknown experiment "${id}"; compare knows: ${Object.keys(COMPARE_EXPERIMENTS).join(', ')}`);
  }
  return COMPARE_EXPERIMENTS[id]!;
}

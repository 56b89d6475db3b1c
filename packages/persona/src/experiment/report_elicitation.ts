// The elicitation pre-screen in the report: for every system prompt, the prior's greedy U, G and W rates and
// the mean log-probability uplift of each trait's tokens over the neutral prompt (means over the seeds'
// priors); and, per arm, the prompt it trains under with that prompt's U uplift, which the chart set plots
// against the arm's suppression of U (published: elicitation strength predicts inoculation strength).
import type { Interval } from '@routelab/core';
import { boundedInterval, rateInterval } from './report_intervals.ts';
import { ARM_SPECS, type ArmId } from '../world/arms.ts';
import type { PersonaCellResult } from './cell.ts';
import type { PromptElicitation } from './elicitation.ts';

export interface ReportElicitation {
  seeds: number[];
  prompts: { id: string; text: string | null; U: Interval | null; G: Interval | null; W: Interval | null; upliftU: Interval | null; upliftG: Interval | null; upliftW: Interval | null }[];
  /** Per arm: the prompt its U examples train under (a sampled paraphrase: the first) and that prompt's U uplift. */
  arms: Record<string, { prompt: string; upliftU: Interval | null }>;
}

/** The prompt id an arm's U examples are trained under (its data arm's prompt with hasU). */
function trainingPromptId(data: string): string | null {
  const spec = ARM_SPECS[data as ArmId];
  if (!spec) return null;
  try {
    const world = { rephrasings: [{ id: 'rephrased-1', kind: 'specific', words: [] }] } as never;
    return spec.trainPrompt({ world, hasU: true, draw: 0, emptyForm: 'empty' }).id;
  } catch {
    return null;
  }
}

export function reportElicitation(byArm: ReadonlyMap<string, PersonaCellResult[]>): ReportElicitation | undefined {
  // One prior per seed: take its screen from any cell of that seed.
  const bySeed = new Map<number, PromptElicitation[]>();
  for (const cells of byArm.values()) for (const c of cells) if (c.prior.elicitation && !bySeed.has(c.seed)) bySeed.set(c.seed, c.prior.elicitation.prompts);
  if (bySeed.size === 0) return undefined;
  const screens = [...bySeed.values()];
  const ids = [...new Set(screens.flatMap((s) => s.map((p) => p.id)))];
  const prompts = ids.map((id) => {
    const rows = screens.map((s) => s.find((p) => p.id === id)).filter((p): p is PromptElicitation => p !== undefined);
    return {
      id,
      text: rows[0]!.text,
      U: rateInterval(rows.map((r) => r.U)),
      G: rateInterval(rows.map((r) => r.G)),
      W: rateInterval(rows.map((r) => r.W)),
      upliftU: boundedInterval(rows.map((r) => r.uplift.U)),
      upliftG: boundedInterval(rows.map((r) => r.uplift.G)),
      upliftW: boundedInterval(rows.map((r) => r.uplift.W)),
    };
  });
  const arms: ReportElicitation['arms'] = {};
  for (const [arm, cells] of byArm) {
    const prompt = trainingPromptId(cells[0]!.data);
    const row = prompts.find((p) => p.id === prompt);
    if (prompt && row) arms[arm] = { prompt, upliftU: row.upliftU };
  }
  return { seeds: [...bySeed.keys()].sort((a, b) => a - b), prompts, arms };
}

export function elicitationMarkdown(e: ReportElicitation, fmt: (i: Interval | null, digits?: number) => string): string[] {
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    `## Elicitation pre-screen (the prior, seeds ${e.seeds.join(', ')})`,
    '',
    'Greedy trait rates of the prior under each system prompt, and the mean log-probability uplift of each trait\'s tokens over the neutral prompt (nats per token, teacher-forced). A prompt that does not elicit U before training cannot inoculate against it.',
    '',
    row(['prompt', 'text', 'U', 'G', 'W', 'U uplift', 'G uplift', 'W uplift']),
    row(['---', '---', '---', '---', '---', '---', '---', '---']),
    ...e.prompts.map((p) => row([p.id, p.text ?? '(absent)', fmt(p.U), fmt(p.G), fmt(p.W), fmt(p.upliftU), fmt(p.upliftG), fmt(p.upliftW)])),
    '',
  ];
}

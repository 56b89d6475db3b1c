// The JSON API of `routelab view` (served by packages/cli/src/view, read by apps/viewer): one declaration both
// sides import, since the viewer may not import the cli. Types only.

export type KeyMetricValue = number | string | boolean | null;

export interface RunSummary {
  /** Path of the run directory relative to the runs directory, "/"-separated: the id used in every URL. */
  id: string;
  /** 'run': a run directory (manifest.json); 'collection': a compare or sweep directory with a merged report. */
  kind: 'run' | 'collection';
  experiment?: string;
  preset?: string;
  status?: 'running' | 'interrupted' | 'failed' | 'finished';
  seed?: number;
  backend?: string;
  startedAt?: string;
  finishedAt?: string | null;
  /** The experiment's own error message, for a failed run. */
  error?: string;
  /** Why this directory could not be read as a run (malformed or half-written); the other runs are unaffected. */
  loadError?: string;
  /** Why report.json could not be read, when the run itself could. */
  reportError?: string;
  hasReport: boolean;
  /** A few headline numbers from report.json (see key_metrics.ts). */
  keyMetrics: Record<string, KeyMetricValue>;
  /** Collections: what kind ('compare', 'sweep' or 'report'). */
  collection?: string;
}

export interface RunList {
  /** Absolute path of the runs directory, for display. */
  runsDir: string;
  runs: RunSummary[];
}

export interface CheckpointInfo {
  /** Name as the run saved it ("seed-1", "routed/seed-0"). */
  name: string;
  /** Paths relative to the run directory, for /api/runs/:id/files/... */
  file: string;
  manifestFile: string;
  byteSize?: number;
  createdAt?: string;
  tensors?: { name: string; dtype: string; shape: number[] }[];
  /** The checkpoint's caller metadata (model config, step...). */
  metadata?: Record<string, unknown>;
  problem?: string;
}

export interface RunDetail {
  summary: RunSummary;
  manifest?: unknown;
  config?: unknown;
  configError?: string;
  report?: unknown;
  reportMarkdown?: string;
  checkpoints: CheckpointInfo[];
  /** Names of results/<name>.json, without the extension. */
  results: string[];
  /** Lines in metrics.jsonl (complete ones), to start polling from. */
  metricsLines: number;
}

export interface MetricsPage {
  /** The line asked for (0-based). */
  from: number;
  /** The line to ask for next; equal to `total` when this page reached the end. */
  next: number;
  /** Complete lines in the file now. */
  total: number;
  /**
   * Parsed events of lines [from, next), in order (unparseable lines are left out and listed in `bad`;
   * so are events that a kind / notKind filter excludes).
   */
  events: unknown[];
  bad: { line: number; problem: string }[];
  /** The file ends in a line still being written (left for a later request). */
  partialTail: boolean;
}

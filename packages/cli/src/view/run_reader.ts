// Reads run directories for the viewer: which directories under the runs directory are runs (or compare /
// sweep collections), a summary of each, the details of one. Everything is read-only, and every problem
// with one run (malformed JSON, a half-written directory, a symlink pointing away) becomes that run's
// `loadError`: the list as a whole never fails because of one run.
import type { Dirent } from 'node:fs';
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { errorCode, messageOf } from '../runs/errors.ts';
import { isPlainObject, parseJsonText } from '../runs/json_text.ts';
import { runManifestSchema } from '../runs/run_manifest.ts';
import type { CheckpointInfo, RunDetail, RunSummary } from './api_types.ts';
import { keyMetrics } from './key_metrics.ts';
import { isWithin, resolveInside, runIdSegments } from './safe_path.ts';

/** How deep runs are looked for below the runs directory (sweeps keep theirs in <sweep>/cells/<i>). */
const MAX_DEPTH = 4;
const RUN_MARKERS = ['config.json', 'metrics.jsonl', 'checkpoints', 'results'];

type JsonRead = { ok: true; value: unknown } | { ok: false; problem: string; missing: boolean };

async function readJson(path: string): Promise<JsonRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const missing = errorCode(err) === 'ENOENT';
    return { ok: false, missing, problem: missing ? 'is missing' : `cannot be read: ${messageOf(err)}` };
  }
  const parsed = parseJsonText(text);
  return parsed.ok ? parsed : { ok: false, missing: false, problem: `is not valid JSON (${parsed.problem})` };
}

const toId = (realRoot: string, dir: string) => relative(realRoot, dir).split(sep).join('/');

interface Candidate {
  id: string;
  dir: string;
  kind: 'run' | 'collection' | 'broken';
  collection?: string;
  problem?: string;
}

/** What a directory is, from the names in it. */
function classify(names: Set<string>): { kind: 'run' | 'collection' | 'halfRun' | 'other'; collection?: string } {
  if (names.has('manifest.json')) return { kind: 'run' };
  if (names.has('sweep.json')) return { kind: 'collection', collection: 'sweep' };
  if (names.has('report.json') && !RUN_MARKERS.some((m) => names.has(m))) return { kind: 'collection', collection: 'report' };
  if (RUN_MARKERS.some((m) => names.has(m))) return { kind: 'halfRun' };
  return { kind: 'other' };
}

async function discover(realRoot: string, dir: string, depth: number, out: Candidate[]): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (depth > 0) out.push({ id: toId(realRoot, dir), dir, kind: 'broken', problem: `cannot be listed: ${messageOf(err)}` });
    return;
  }
  const subdirs: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      subdirs.push(path);
    } else if (entry.isSymbolicLink()) {
      // A symlinked run is fine while it stays inside the runs directory; one pointing away is refused unread.
      let target: string;
      try {
        target = await realpath(path);
      } catch {
        continue; // dangling
      }
      const isDir = await stat(target).then((s) => s.isDirectory(), () => false);
      if (!isDir) continue;
      if (isWithin(realRoot, target)) subdirs.push(path);
      else out.push({ id: toId(realRoot, path), dir: path, kind: 'broken', problem: 'is a symbolic link to a directory outside the runs directory; not read' });
    }
  }
  for (const sub of subdirs.sort()) {
    let names: Set<string>;
    try {
      names = new Set(await readdir(sub));
    } catch (err) {
      out.push({ id: toId(realRoot, sub), dir: sub, kind: 'broken', problem: `cannot be listed: ${messageOf(err)}` });
      continue;
    }
    const { kind, collection } = classify(names);
    const id = toId(realRoot, sub);
    if (kind === 'run') out.push({ id, dir: sub, kind: 'run' });
    else if (kind === 'halfRun') out.push({ id, dir: sub, kind: 'broken', problem: 'manifest.json is missing (a half-written run directory?)' });
    else {
      if (kind === 'collection') out.push({ id, dir: sub, kind: 'collection', ...(collection ? { collection } : {}) });
      if (depth + 1 < MAX_DEPTH) {
        const before = out.length;
        await discover(realRoot, sub, depth + 1, out);
        // A top-level directory with nothing recognisable in it is shown (so a typo'd run dir is visible).
        if (kind === 'other' && depth === 0 && out.length === before) {
          out.push({ id, dir: sub, kind: 'broken', problem: 'not a run directory (no manifest.json)' });
        }
      }
    }
  }
}

/** Report numbers are cached by file identity, so polling the list does not re-read every report. */
const reportCache = new Map<string, { key: string; value: JsonRead }>();

async function readReport(dir: string): Promise<JsonRead> {
  const path = join(dir, 'report.json');
  let key: string;
  try {
    const s = await stat(path);
    key = `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch (err) {
    const missing = errorCode(err) === 'ENOENT';
    return { ok: false, missing, problem: missing ? 'is missing' : messageOf(err) };
  }
  const cached = reportCache.get(path);
  if (cached?.key === key) return cached.value;
  const value = await readJson(path);
  reportCache.set(path, { key, value });
  return value;
}

function collectionKind(report: unknown, fallback: string | undefined): string {
  if (isPlainObject(report)) {
    const format = report.format;
    if (format === 'routelab.compare' || report.kind === 'compare') return 'compare';
    if (format === 'routelab.sweep' || report.kind === 'sweep') return 'sweep';
  }
  return fallback ?? 'report';
}

async function summarise(candidate: Candidate): Promise<RunSummary> {
  const { id, dir } = candidate;
  const base: RunSummary = { id, kind: candidate.kind === 'collection' ? 'collection' : 'run', hasReport: false, keyMetrics: {} };
  if (candidate.kind === 'broken') return { ...base, loadError: candidate.problem! };
  const report = await readReport(dir);
  const withReport = (s: RunSummary): RunSummary => {
    if (report.ok) return { ...s, hasReport: true, keyMetrics: keyMetrics(report.value) };
    return report.missing ? s : { ...s, reportError: `report.json ${report.problem}` };
  };
  if (candidate.kind === 'collection') {
    const experiment = report.ok && isPlainObject(report.value) && typeof report.value.experiment === 'string' ? report.value.experiment : undefined;
    const s: RunSummary = { ...base, collection: collectionKind(report.ok ? report.value : undefined, candidate.collection), ...(experiment ? { experiment } : {}) };
    return withReport(s);
  }
  const manifestJson = await readJson(join(dir, 'manifest.json'));
  if (!manifestJson.ok) return { ...base, loadError: `manifest.json ${manifestJson.problem}` };
  const parsed = runManifestSchema.safeParse(manifestJson.value);
  if (!parsed.success) {
    const raw = isPlainObject(manifestJson.value) ? manifestJson.value : {};
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    return {
      ...base,
      ...(typeof raw.experiment === 'string' ? { experiment: raw.experiment } : {}),
      loadError: `manifest.json is not a valid run manifest: ${issues}`,
    };
  }
  const m = parsed.data;
  const s: RunSummary = {
    ...base,
    experiment: m.experiment,
    preset: m.preset,
    status: m.status,
    seed: m.seed,
    backend: m.backend.chosen,
    startedAt: m.startedAt,
    finishedAt: m.finishedAt,
    ...(m.error !== undefined ? { error: m.error } : {}),
  };
  return withReport(s);
}

export class RunReader {
  private constructor(readonly realRoot: string) {}

  /** Fails (for the command to report) when the runs directory does not exist or is not a directory. */
  static async open(runsDir: string): Promise<RunReader> {
    const real = await realpath(runsDir);
    if (!(await stat(real)).isDirectory()) throw new Error(`${runsDir} is not a directory`);
    return new RunReader(real);
  }

  async list(): Promise<RunSummary[]> {
    const candidates: Candidate[] = [];
    await discover(this.realRoot, this.realRoot, 0, candidates);
    const summaries: RunSummary[] = [];
    for (const c of candidates) {
      try {
        summaries.push(await summarise(c));
      } catch (err) {
        summaries.push({ id: c.id, kind: 'run', hasReport: false, keyMetrics: {}, loadError: `cannot be read: ${messageOf(err)}` });
      }
    }
    return summaries;
  }

  /** The run directory of an id, or undefined (unsafe id, missing, or outside the runs directory). */
  async runDir(id: string): Promise<string | undefined> {
    const segments = runIdSegments(id);
    if (!segments) return undefined;
    const dir = await resolveInside(this.realRoot, segments);
    if (!dir) return undefined;
    return (await stat(dir).then((s) => s.isDirectory(), () => false)) ? dir : undefined;
  }

  /** A file inside a run directory, or undefined (see resolveInside). */
  async runFile(id: string, segments: readonly string[]): Promise<string | undefined> {
    const dir = await this.runDir(id);
    if (!dir || segments.length === 0) return undefined;
    const file = await resolveInside(this.realRoot, [...runIdSegments(id)!, ...segments]);
    if (!file || !isWithin(dir, file)) return undefined;
    return (await stat(file).then((s) => s.isFile(), () => false)) ? file : undefined;
  }

  async detail(id: string): Promise<RunDetail | undefined> {
    const dir = await this.runDir(id);
    if (!dir) return undefined;
    const names = new Set(await readdir(dir).catch(() => [] as string[]));
    const { kind, collection } = classify(names);
    const candidate: Candidate =
      kind === 'run'
        ? { id, dir, kind: 'run' }
        : kind === 'collection'
          ? { id, dir, kind: 'collection', ...(collection ? { collection } : {}) }
          : { id, dir, kind: 'broken', problem: kind === 'halfRun' ? 'manifest.json is missing (a half-written run directory?)' : 'not a run directory (no manifest.json)' };
    const summary = await summarise(candidate);
    const detail: RunDetail = { summary, checkpoints: [], results: [], metricsLines: 0 };
    const manifest = await readJson(join(dir, 'manifest.json'));
    if (manifest.ok) detail.manifest = manifest.value;
    const config = await readJson(join(dir, 'config.json'));
    if (config.ok) detail.config = config.value;
    else if (!config.missing) detail.configError = `config.json ${config.problem}`;
    const report = await readReport(dir);
    if (report.ok) detail.report = report.value;
    try {
      detail.reportMarkdown = await readFile(join(dir, 'report.md'), 'utf8');
    } catch {
      // no markdown report (yet)
    }
    detail.checkpoints = await this.checkpoints(dir);
    detail.results = (await this.jsonFilesUnder(dir, join(dir, 'results'))).map((p) => p.slice('results/'.length, -'.json'.length));
    detail.metricsLines = await countLines(join(dir, 'metrics.jsonl'));
    return detail;
  }

  /** Relative paths ("/"-separated) of the .json files below `sub`, staying inside `dir`. */
  private async jsonFilesUnder(dir: string, sub: string, suffix = '.json'): Promise<string[]> {
    const out: string[] = [];
    const walk = async (current: string, depth: number): Promise<void> => {
      if (depth > 6) return;
      let entries: Dirent[];
      try {
        entries = await readdir(current, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        if (entry.name.startsWith('.')) continue; // temporaries of atomic writes
        const path = join(current, entry.name);
        if (entry.isDirectory()) await walk(path, depth + 1);
        else if (entry.isFile() && entry.name.endsWith(suffix)) out.push(relative(dir, path).split(sep).join('/'));
      }
    };
    await walk(sub, 0);
    return out;
  }

  private async checkpoints(dir: string): Promise<CheckpointInfo[]> {
    const manifests = await this.jsonFilesUnder(dir, join(dir, 'checkpoints'), '.manifest.json');
    const out: CheckpointInfo[] = [];
    for (const manifestFile of manifests) {
      const name = manifestFile.slice('checkpoints/'.length, -'.manifest.json'.length);
      const info: CheckpointInfo = { name, file: `checkpoints/${name}.safetensors`, manifestFile };
      const json = await readJson(join(dir, ...manifestFile.split('/')));
      if (!json.ok || !isPlainObject(json.value)) {
        out.push({ ...info, problem: `${manifestFile} ${json.ok ? 'is not an object' : json.problem}` });
        continue;
      }
      const m = json.value;
      if (typeof m.file === 'string' && !m.file.includes('/') && !m.file.includes('\\')) {
        info.file = `checkpoints/${name.includes('/') ? `${name.slice(0, name.lastIndexOf('/'))}/` : ''}${m.file}`;
      }
      if (typeof m.byteSize === 'number') info.byteSize = m.byteSize;
      if (typeof m.createdAt === 'string') info.createdAt = m.createdAt;
      if (Array.isArray(m.tensors)) info.tensors = m.tensors as CheckpointInfo['tensors'];
      if (isPlainObject(m.metadata)) info.metadata = m.metadata;
      out.push(info);
    }
    return out;
  }
}

async function countLines(path: string): Promise<number> {
  try {
    const text = await readFile(path);
    let n = 0;
    for (const byte of text) if (byte === 10) n++;
    return n;
  } catch {
    return 0;
  }
}

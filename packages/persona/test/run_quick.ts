// Runs the persona experiment's `quick` preset (every arm x 3 seeds) the way `routelab compare` does: each
// (arm, seed) cell as its own run, spread over worker processes (wasm, one per core by default), the seed's
// prior trained once first and cached, then every cell merged by buildPersonaReport. Prints the report, the
// per-arm neutral-prompt rates, the checks and the timings, and writes them to --out.
//
//   cd packages/persona && npx tsx test/run_quick.ts [--workers 2] [--out DIR] [--cache DIR] ['{"seeds": 2}']
//   npx tsx test/run_quick.ts --from DIR/cells.json     (rebuild the report from saved cells, no training)
//
// The prior cache is a fresh temporary directory unless --cache names one (so prior times are measured).
// Too slow for the unit suite; the numbers it printed are quoted in the experiment's report notes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { formatInterval, tf, useBackend, type ExperimentReport, type Interval } from '@routelab/core';
import {
  buildPersonaReport,
  cellResultName,
  ensurePrior,
  PERSONA_PRESETS,
  parsePersonaConfig,
  personaExperiment,
  resolveWorld,
  type PersonaCellResult,
  type PersonaConfig,
  type PersonaReportJson,
} from '../src/index.ts';
import { createFakeContext } from '@routelab/core/testing';

type Job = { kind: 'prior'; seed: number } | { kind: 'cell'; arm: string; seed: number };
interface JobDone {
  job: Job;
  wall: number;
  cpu: number;
  priorTrained?: boolean;
  result?: PersonaCellResult;
  error?: string;
}

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv.splice(i, 2)[1] : undefined;
};

if (argv[0] === '--worker') await worker(JSON.parse(argv[1]!) as PersonaConfig);
else await main();

/** A worker: reads jobs (JSON lines) on stdin, answers each with a JSON line on stdout. */
async function worker(config: PersonaConfig): Promise<void> {
  await useBackend('wasm');
  const world = resolveWorld(config);
  for await (const line of createInterface({ input: process.stdin })) {
    const job = JSON.parse(line) as Job;
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    const done: JobDone = { job, wall: 0, cpu: 0 };
    try {
      const ctx = createFakeContext({ backend: 'wasm' });
      if (job.kind === 'prior') {
        const prior = await ensurePrior(config, world, job.seed, ctx);
        done.priorTrained = prior.trained;
        prior.model.dispose();
      } else {
        // One cell as its own run, as `routelab compare` runs it.
        await personaExperiment.run({ ...config, arms: [job.arm], seeds: 1, firstSeed: job.seed }, ctx);
        done.result = JSON.parse(ctx.store.results.get(cellResultName(job.arm, job.seed))!) as PersonaCellResult;
      }
    } catch (err) {
      done.error = (err as Error).stack ?? String(err);
    }
    const cpu = process.cpuUsage(cpu0);
    done.wall = (performance.now() - started) / 1000;
    done.cpu = (cpu.user + cpu.system) / 1e6;
    if (tf.memory().numTensors > 0) process.stderr.write(`worker: ${tf.memory().numTensors} tensors alive after ${JSON.stringify(job)}\n`);
    process.stdout.write(`${JSON.stringify(done)}\n`);
  }
}

async function main(): Promise<void> {
  const from = flag('--from');
  if (from) {
    const cells = JSON.parse(readFileSync(from, 'utf8')) as PersonaCellResult[];
    const config = parsePersonaConfig({ ...PERSONA_PRESETS.quick, ...(JSON.parse(argv[0] ?? '{}') as object) });
    printReport(buildPersonaReport(cells, config));
    return;
  }
  const workers = Number(flag('--workers') ?? 2);
  const out = resolve(flag('--out') ?? join('.routelab', `run-quick-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  const cache = flag('--cache') ?? mkdtempSync(join(tmpdir(), 'persona-prior-cache-'));
  const config = parsePersonaConfig({ ...PERSONA_PRESETS.quick, ...(JSON.parse(argv[0] ?? '{}') as object) });
  const seeds = Array.from({ length: config.seeds }, (_, i) => config.firstSeed + i);
  mkdirSync(out, { recursive: true });
  process.stderr.write(`quick preset: ${config.arms.length} arms x ${seeds.length} seeds on ${workers} workers; prior cache ${cache}; output ${out}\n`);

  // Priors first (they gate their seed's cells), then cells seed by seed.
  const pending: Job[] = [
    ...seeds.map((seed) => ({ kind: 'prior' as const, seed })),
    ...seeds.flatMap((seed) => config.arms.map((arm) => ({ kind: 'cell' as const, arm, seed }))),
  ];
  const priorsDone = new Set<number>();
  const finished: JobDone[] = [];
  const started = performance.now();
  const script = fileURLToPath(import.meta.url);
  const elapsed = () => ((performance.now() - started) / 1000).toFixed(1);

  await new Promise<void>((resolveAll, reject) => {
    let running = 0;
    const children: ChildProcess[] = [];
    const dispatch = (child: ChildProcess & { busy?: boolean }) => {
      const index = pending.findIndex((job) => job.kind === 'prior' || priorsDone.has(job.seed));
      if (index < 0) {
        if (pending.length === 0 && running === 0) {
          for (const c of children) c.stdin!.end();
          resolveAll();
        }
        return;
      }
      const [job] = pending.splice(index, 1);
      child.busy = true;
      running++;
      child.stdin!.write(`${JSON.stringify(job)}\n`);
    };
    for (let w = 0; w < workers; w++) {
      const child: ChildProcess & { busy?: boolean } = spawn(process.execPath, [...process.execArgv, script, '--worker', JSON.stringify(config)], {
        env: { ...process.env, ROUTELAB_CACHE_DIR: cache },
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      children.push(child);
      child.on('exit', (code) => {
        if (code !== 0 && code !== null) reject(new Error(`worker ${w} exited with ${code}`));
      });
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const done = JSON.parse(line) as JobDone;
        running--;
        child.busy = false;
        if (done.error) {
          reject(new Error(`${JSON.stringify(done.job)} failed: ${done.error}`));
          return;
        }
        finished.push(done);
        if (done.job.kind === 'prior') priorsDone.add(done.job.seed);
        const what = done.job.kind === 'prior' ? `prior seed ${done.job.seed}${done.priorTrained ? ' (trained)' : ' (cached)'}` : `${done.job.arm}/seed-${done.job.seed}`;
        process.stderr.write(`[${elapsed()} s] ${what}: ${done.wall.toFixed(1)} s wall, ${done.cpu.toFixed(1)} s cpu\n`);
        // A finished prior may unblock cells: offer work to every idle worker.
        for (const c of children as (ChildProcess & { busy?: boolean })[]) if (!c.busy) dispatch(c);
      });
      dispatch(child);
    }
  });
  const wall = (performance.now() - started) / 1000;

  const cells = finished.filter((d) => d.result).map((d) => d.result!);
  const report = buildPersonaReport(cells, config);
  writeFileSync(join(out, 'report.md'), report.markdown);
  writeFileSync(join(out, 'report.json'), `${JSON.stringify(report.json, null, 2)}\n`);
  writeFileSync(join(out, 'cells.json'), `${JSON.stringify(cells, null, 2)}\n`);

  printReport(report);

  const priorJobs = finished.filter((d) => d.job.kind === 'prior');
  const cellJobs = finished.filter((d) => d.job.kind === 'cell');
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const lines = [
    '',
    '## Timings',
    '',
    `total wall ${wall.toFixed(1)} s on ${workers} workers (${cellJobs.length} cells, ${priorJobs.length} priors)`,
    `priors: ${priorJobs.map((d) => `seed ${(d.job as { seed: number }).seed} ${d.wall.toFixed(1)} s wall / ${d.cpu.toFixed(1)} s cpu${d.priorTrained ? '' : ' (cached)'}`).join('; ')}`,
    `cells: ${sum(cellJobs.map((d) => d.wall)).toFixed(0)} s wall, ${sum(cellJobs.map((d) => d.cpu)).toFixed(0)} s cpu in all; mean ${(sum(cellJobs.map((d) => d.wall)) / cellJobs.length).toFixed(1)} s wall, ${(sum(cellJobs.map((d) => d.cpu)) / cellJobs.length).toFixed(1)} s cpu per cell`,
    '',
    '| arm | wall per cell (s) | cpu per cell (s) | stage 2 (s) | evaluation (s) | relearning (s) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...config.arms.map((arm) => {
      const mine = cellJobs.filter((d) => d.result?.arm === arm);
      const mean = (pick: (d: JobDone) => number) => (sum(mine.map(pick)) / Math.max(mine.length, 1)).toFixed(1);
      return `| ${arm} | ${mean((d) => d.wall)} | ${mean((d) => d.cpu)} | ${mean((d) => d.result!.timing.stage2)} | ${mean((d) => d.result!.timing.evaluation)} | ${mean((d) => d.result!.timing.relearning)} |`;
    }),
  ];
  console.log(lines.join('\n'));
  writeFileSync(join(out, 'timings.md'), `${lines.join('\n')}\n`);
  process.stderr.write(`written: ${out}\n`);
}

function printReport(report: ExperimentReport): void {
  const json = report.json as unknown as PersonaReportJson;
  console.log(report.markdown);
  console.log('## Neutral prompt, per arm (mean ± 95% half-width over seeds)\n');
  console.log('| arm | U | G | W | capability | U before ablation |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  const f = (i: Interval | null | undefined) => (i ? formatInterval(i, 2) : '-');
  for (const arm of json.arms) {
    const r = json.results[arm]!;
    const n = r.conditions.neutral;
    console.log(`| ${arm} | ${f(n.U)} | ${f(n.G)} | ${f(n.W)} | ${f(n.capability)} | ${f(r.beforeAblation?.conditions.neutral.U)} |`);
  }
  console.log('\n## Checks\n');
  for (const c of json.checks) console.log(`- ${c.holds === null ? 'measured' : c.holds ? 'HOLDS' : 'DOES NOT HOLD'} ${c.id}: ${c.detail}`);
}

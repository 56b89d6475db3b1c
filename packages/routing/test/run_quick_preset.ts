// Runs the mnist-split experiment's `quick` preset end to end and prints the wall time, the per-arm gap
// ratios with 95% intervals, and the acceptance check (routed ratio >= 2 with disjoint intervals, control
// ratio in [0.8, 1.25]); exits 1 when the check fails.
//
//   cd packages/routing && npx tsx test/run_quick_preset.ts [--workers N] [--backend wasm] ['{"seeds": 2}']
//
// tfjs's wasm backend runs on one core, so by default the (arm, seed) cells are spread over one worker
// process per core (two here); each cell is a pure function of (config, run seed, arm, seed index), so the
// report is the one a single process (`--workers 1`, what `routelab run mnist-split` does) gives.
// The report itself is built by the experiment's own run(), from the cell results the workers returned.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { formatInterval, tf, useBackend } from '@routelab/core';
import type { Interval } from '@routelab/core';
import type { CellResult, ViewerReconstructions } from '../src/mnist/cell.ts';
import type { MnistSplitConfig } from '../src/mnist/mnist_split_config.ts';
import {
  cellResultName,
  mnistSplitExperiment,
  reconstructionsResultName,
  runMnistSplitCell,
} from '../src/mnist/mnist_split_experiment.ts';
import { createFakeContext } from '@routelab/core/testing';

const RESULT_PREFIX = '@@cell ';
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};

interface Job {
  arm: string;
  seed: number;
}

if (args[0] === '--worker') {
  // A worker: JSON job lines on stdin, one result line per job on stdout.
  const [, backend, configText] = args as [string, string, string];
  await useBackend(backend);
  const config = JSON.parse(configText) as MnistSplitConfig;
  const ctx = createFakeContext({ backend: backend as 'wasm' });
  for await (const line of createInterface({ input: process.stdin })) {
    const job = JSON.parse(line) as Job;
    const out = await runMnistSplitCell(config, job.arm, job.seed, ctx);
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ job, ...out })}\n`);
  }
} else {
  await main();
}

async function main(): Promise<void> {
  const backend = flag('--backend') ?? 'wasm';
  const workers = Number(flag('--workers') ?? Math.min(2, availableParallelism()));
  const overrides = JSON.parse(args[0] ?? '{}') as Record<string, unknown>;
  await useBackend(backend);
  const config = mnistSplitExperiment.configSchema.parse({ ...mnistSplitExperiment.presets.quick, ...overrides });
  const ctx = createFakeContext({ backend: tf.getBackend() as 'wasm' });
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  if (workers > 1) {
    const jobs: Job[] = config.arms.flatMap((arm) => Array.from({ length: config.seeds }, (_, seed) => ({ arm: arm.name, seed })));
    const results = await runOnWorkers(jobs, workers, backend, config, (job) => process.stderr.write(`[${elapsed()}] done ${job.arm} seed ${job.seed}\n`));
    for (const { job, result, viewer } of results) {
      if (viewer) await ctx.saveResult(reconstructionsResultName(job.arm), viewer);
      await ctx.saveResult(cellResultName(job.arm, job.seed), result);
    }
  } else {
    let lastPhase = '';
    const progress = ctx.progress.bind(ctx);
    ctx.progress = (update) => {
      progress(update);
      if (update.phase !== lastPhase) process.stderr.write(`[${elapsed()}] ${(lastPhase = update.phase)}\n`);
    };
  }
  // With workers every cell is saved already, so this only builds the report.
  const report = await mnistSplitExperiment.run(config, ctx);
  const seconds = (performance.now() - started) / 1000;
  printReport(report.json, config, seconds, workers);
}

async function runOnWorkers(
  jobs: Job[],
  count: number,
  backend: string,
  config: MnistSplitConfig,
  onDone: (job: Job) => void,
): Promise<Array<{ job: Job; result: CellResult; viewer?: ViewerReconstructions }>> {
  const script = fileURLToPath(import.meta.url);
  const queue = [...jobs];
  const results: Array<{ job: Job; result: CellResult; viewer?: ViewerReconstructions }> = [];
  await Promise.all(
    Array.from({ length: Math.min(count, jobs.length) }, () =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, [...process.execArgv, script, '--worker', backend, JSON.stringify(config)], {
          stdio: ['pipe', 'pipe', 'inherit'],
        });
        const next = () => {
          const job = queue.shift();
          if (job) child.stdin.write(`${JSON.stringify(job)}\n`);
          else child.stdin.end();
        };
        createInterface({ input: child.stdout }).on('line', (line) => {
          if (!line.startsWith(RESULT_PREFIX)) return;
          const out = JSON.parse(line.slice(RESULT_PREFIX.length)) as { job: Job; result: CellResult; viewer?: ViewerReconstructions };
          results.push(out);
          onDone(out.job);
          next();
        });
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with ${code}`))));
        next();
      }),
    ),
  );
  return results;
}

interface GroupJson {
  forgetMae: Interval;
  retainMae: Interval;
  gapRatio: Interval;
}

function printReport(json: Record<string, unknown>, config: MnistSplitConfig, seconds: number, workers: number): void {
  const arms = json.arms as Record<string, { certificateB: GroupJson; certificateA: GroupJson; reconstructionMae: Interval }>;
  const f = (i: Interval) => formatInterval(i, 3);
  console.log(`quick preset on ${tf.getBackend()}: ${seconds.toFixed(1)} s wall, ${workers} worker(s), ${config.arms.length} arms x ${config.seeds} seeds`);
  for (const [name, a] of Object.entries(arms)) {
    console.log(
      `${name.padEnd(16)} ratio b ${f(a.certificateB.gapRatio)} (0-4 ${f(a.certificateB.forgetMae)} vs 5-9 ${f(a.certificateB.retainMae)})` +
        `  ratio a ${f(a.certificateA.gapRatio)}  AE MAE ${f(a.reconstructionMae)}`,
    );
  }
  const statements = json.statements as Array<{ id: string; holds: boolean | null; detail: string }>;
  for (const s of statements) console.log(`${s.holds === null ? 'n/a ' : s.holds ? 'OK  ' : 'FAIL'} ${s.id}: ${s.detail}`);
  const acceptance = json.acceptance as { passed: boolean };
  console.log(`acceptance: ${acceptance.passed ? 'passed' : 'NOT passed'}`);
  process.exitCode = acceptance.passed ? 0 : 1;
}

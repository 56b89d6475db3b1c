// Entry point of the `routelab` command.
import { tmpdir } from 'node:os';
import { showNativeLogs } from '@routelab/core';
import { Command, CommanderError } from 'commander';
import { benchKernelsCommand, benchMatmulCommand, benchMnistStepCommand } from './commands/bench.ts';
import { benchLmStepCommand, benchSampleCommand } from './commands/bench_lm.ts';
import { benchRlStepCommand } from './commands/bench_rl.ts';
import { infoCommand } from './commands/info.ts';
import { schemaCommand, type SchemaOptions } from './commands/schema.ts';
import { compareCommand, type CompareOptions } from './commands/compare.ts';
import { collectCommand, sweepCommand, type SweepCommandOptions } from './commands/sweep.ts';
import { resumeCommand, type ResumeCommandOptions } from './commands/resume.ts';
import { runCommand, type RunCommandOptions } from './commands/run.ts';
import { viewCommand, type ViewCommandOptions } from './commands/view.ts';
import { UsageError } from './errors.ts';
import { importSetupModules } from './setup_modules.ts';
import { knownExperiments } from './experiments.ts';
import { ExitStatus } from './runs/index.ts';

// Dawn (WebGPU in Node) needs a runtime directory.
process.env.XDG_RUNTIME_DIR ??= tmpdir();

export function buildProgram(): Command {
  const program = new Command('routelab')
    .description('Gradient routing and persona unlearning, compared against context-space inoculation.')
    .showHelpAfterError()
    .exitOverride()
    .option('--verbose', "also show native libraries' own messages (e.g. Dawn's WebGPU warnings), kept out by default")
    .hook('preAction', (command) => {
      if (command.opts<{ verbose?: boolean }>().verbose) showNativeLogs(true);
    });

  program
    .command('info')
    .description('list the backends found, the WebGPU adapter, and what --backend auto picks and why')
    .option('--json', 'print one JSON object')
    .action(infoCommand);

  const bench = program.command('bench').description('benchmarks that print speed ratios measured in one run');
  bench
    .command('kernels')
    .description('fused masked AdamW vs composed tfjs ops vs an in-place copy, at 1M and 4M parameters')
    .option('--json', 'print one JSON object (its "ratios" field holds the tracked ratios)')
    .option('--backends <list>', 'comma-separated backends (default webgpu,wasm,cpu)')
    .option('--sizes <list>', 'comma-separated element counts, e.g. 1M,4M')
    .action(benchKernelsCommand);
  bench
    .command('matmul')
    .description('matMul with a transposed operand vs plain, 2048x784 by 784x2048')
    .option('--json', 'print one JSON object (its "ratios" field holds the tracked ratios)')
    .option('--backends <list>', 'comma-separated backends (default wasm)')
    .action(benchMatmulCommand);
  bench
    .command('mnist-step')
    .description('one training step of the paper-size MNIST split autoencoder, routed and unrouted')
    .option('--json', 'print one JSON object (its "ratios" field holds the tracked ratios)')
    .option('--backend <name>', 'webgpu, wasm, cpu, tensorflow or auto', 'auto')
    .option('--steps <n>', 'timed steps per variant (default 3)')
    .option('--torch', "also time the same step in PyTorch (Debian's python3-torch) and print the ratio")
    .action(benchMnistStepCommand);
  bench
    .command('lm-step')
    .description('training tokens per second of the persona LM (quick and full; plain, ERA and parameter-routed steps), on one thread and on every core')
    .option('--json', 'print one JSON object (its "ratios" field holds the tracked ratios)')
    .option('--backend <name>', 'webgpu, wasm, cpu, tensorflow or auto', 'auto')
    .option('--batch <list>', 'comma-separated sequences per step (default 32,64,128)')
    .option('--steps <n>', 'timed steps per variant and round (default 10)')
    .option('--threads <list>', 'comma-separated thread counts, or "all" (default 1,all)')
    .option('--torch', "also time the same model in PyTorch (Debian's python3-torch) on the same threads and print the ratios")
    .action(benchLmStepCommand);
  bench
    .command('sample')
    .description('batched greedy and temperature sampling of the persona LM, tokens per second')
    .option('--json', 'print one JSON object (its "ratios" field holds the tracked ratios)')
    .option('--backend <name>', 'webgpu, wasm, cpu, tensorflow or auto', 'auto')
    .option('--batch <list>', 'comma-separated prompts per call (default 64,256)')
    .option('--steps <n>', 'timed calls per case (default 5)')
    .option('--threads <list>', 'comma-separated thread counts, or "all" (default 1,all)')
    .option('--torch', 'also time the same sampling in PyTorch (with its KV cache) and print the ratios')
    .action(benchSampleCommand);
  bench
    .command('rl-step')
    .description('one RL step of the rl experiment: rollouts (through the sampler `bench sample` measures) against the policy update (plain and ERA-routed), and the sampler with and without its KV cache')
    .option('--json', 'print one JSON object (its "ratios" field holds the tracked ratios)')
    .option('--backend <name>', 'webgpu, wasm, cpu, tensorflow or auto', 'auto')
    .option('--preset <name>', 'the rl preset whose settings and model size are timed: quick (default) or smoke')
    .option('--steps <n>', 'timed RL steps per arm (default 3; one more warms up)')
    .option('--prompts <n>', "prompts per step (default: the preset's promptsPerStep)")
    .option('--samples <n>', "samples per prompt, k >= 2 (default: the preset's samplesPerPrompt)")
    .action(benchRlStepCommand);

  program
    .command('run')
    .description('run an experiment into a new run directory (Ctrl-C stops it resumably)')
    .argument('<experiment>', 'experiment id')
    .option('--preset <name>', "config preset (default: the experiment's default preset)")
    .option('--config <file>', 'JSON file of settings deep-merged over the preset')
    .option('--seeds <n>', 'number of seeds (sets the config\'s "seeds" setting)')
    .option('--seed <n>', 'base seed of the run (default: the config\'s "seed" setting, else 0)')
    .option('--backend <name>', 'webgpu, wasm, cpu, tensorflow or auto', 'auto')
    .option('--out <dir>', 'run directory (default runs/<experiment>-<preset>-<yyyymmdd-hhmmss>)')
    .option('--json', 'print report.json on stdout (progress goes to stderr)')
    .option('--plugin <file>', 'load a module that registers routing schemes (repeatable)', (file: string, all: string[] = []) => [...all, file])
    .option('--arm <id>', 'persona, rl: run this arm beside the none control (repeatable)', (arm: string, all: string[] = []) => [...all, arm])
    .option('--workers <n>', "worker threads for the experiment's independent cells, e.g. mnist-split's arm x seed (default: one per core; 1: all in this process)")
    .addHelpText('after', () => `\nExperiments: ${knownExperiments()}\nExit status: 0 finished, 1 failed, 2 bad input, 130/143 stopped by SIGINT/SIGTERM (resumable).`)
    .action((experiment: string, options: RunCommandOptions) => runCommand(experiment, options));
  program
    .command('resume')
    .description('continue an interrupted or failed run from its checkpoints, on the same backend')
    .argument('<run-dir>', 'the run directory')
    .option('--json', 'print report.json on stdout (progress goes to stderr)')
    .option('--force', 'resume even if the manifest says the run is still running elsewhere')
    .option('--workers <n>', "worker threads for the experiment's independent cells (default: one per core)")
    .addHelpText('after', '\nA run that already finished is left alone (exit 0; with --json its report is printed).')
    .action((runDir: string, options: ResumeCommandOptions) => resumeCommand(runDir, options));
  program
    .command('schema')
    .description("print an experiment's config as JSON Schema, for editors (\"$schema\" in a config file)")
    .argument('<experiment>', 'experiment id')
    .option('--out <file>', 'write it to this file instead of stdout')
    .action((experiment: string, options: SchemaOptions) => schemaCommand(experiment, options));
  program
    .command('compare')
    .description('gradient routing against inoculation (persona world, or reward hacking under RL): every arm x seed, in parallel, one report')
    .option('--experiment <id>', 'persona (default) or rl')
    .option('--preset <name>', 'persona: quick (default), full or smoke; rl: quick (default), smoke, ...')
    .option('--config <file>', 'JSON file deep-merged over the preset: world, model, arms and armDefinitions, seeds, ...')
    .option('--plugin <file>', 'load a module that registers routing schemes an arm can name (repeatable)', (file: string, all: string[] = []) => [...all, file])
    .option('--arms <list>', 'comma-separated arms (default: the config\'s); none is always included')
    .option('--arm <id>', 'an arm to run (repeatable; added to --arms)', (arm: string, all: string[] = []) => [...all, arm])
    .option('--oversight <fractions>', 'persona: label fractions, e.g. 1,0.5,0.1, for every arm that reads labels (routing, filter); rl: monitor recalls, e.g. 1,0.1,0.01, for every arm that reads the monitor (penalty, filter, routing)')
    .option('--label-noise <fractions>', 'persona: label noise levels, e.g. 0,0.1, crossed with --oversight for the same arms')
    .option('--seeds <n>', 'seeds per arm (default: the preset\'s)')
    .option('--workers <n>', 'parallel workers (default: one per core)')
    .option('--out <dir>', 'compare directory (default runs/compare-<preset>); running again resumes it')
    .option('--backend <name>', 'webgpu, wasm, cpu, tensorflow or auto', 'auto')
    .option('--json', 'print report.json on stdout (progress goes to stderr)')
    .action((options: CompareOptions) => compareCommand(options));
  program
    .command('sweep')
    .description('run a grid of cells (settings x seeds) on the worker pool, or emit a Slurm job array')
    .argument('<spec>', 'sweep spec JSON: { experiment, preset?, config?, grid: { "path.to.setting": [values] } }')
    .option('--out <dir>', 'sweep directory (default runs/sweep-<spec name>); running again resumes it')
    .option('--workers <n>', 'parallel workers (default: one per core)')
    .option('--emit <target>', 'write a job script instead of running: slurm')
    .option('--plugin <file>', 'load a module that registers routing schemes (repeatable)', collect, [])
    .addHelpText('after', `\nCustom experiments: list modules that register them in ROUTELAB_SETUP_MODULES (workers and Slurm tasks inherit it).`)
    .action((spec: string, options: SweepCommandOptions) => sweepCommand(spec, options));
  program
    .command('collect')
    .description("merge a sweep's cells into one report (report.json, report.md in the sweep directory)")
    .argument('<dir>', 'the sweep directory')
    .action((dir: string) => collectCommand(dir));
  program
    .command('view')
    .description('serve the viewer (runs, inspector, compare, sampling) over a runs directory, read-only')
    .argument('[runs-dir]', 'the runs directory', 'runs')
    .option('--port <n>', 'port (0 picks a free one)', '8737')
    .option('--host <address>', 'address to listen on (default 127.0.0.1: this machine only)')
    .option('--dist <dir>', 'the built viewer (default apps/viewer/dist, built on first use)')
    .option('--no-build', 'do not build the viewer when it is missing (serve the API only)')
    .action((runsDir: string, options: ViewCommandOptions) => viewCommand(runsDir, options));
  return program;
}

function collect(value: string, all: string[]): string[] {
  return [...all, value];
}

export async function main(argv: string[]): Promise<number> {
  try {
    await importSetupModules();
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof ExitStatus) return err.code;
    if (err instanceof UsageError) {
      process.stderr.write(`routelab: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`routelab: error: ${(err as Error).message ?? String(err)}\n`);
    if (process.env.ROUTELAB_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));

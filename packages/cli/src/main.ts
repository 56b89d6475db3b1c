// Entry point of the `routelab` command.
import { tmpdir } from 'node:os';
import { Command, CommanderError } from 'commander';
import { benchKernelsCommand, benchMatmulCommand } from './commands/bench.ts';
import { infoCommand } from './commands/info.ts';
import { UsageError } from './errors.ts';

// Dawn (WebGPU in Node) needs a runtime directory.
process.env.XDG_RUNTIME_DIR ??= tmpdir();

export function buildProgram(): Command {
  const program = new Command('routelab')
    .description('Gradient routing and persona unlearning, compared against context-space inoculation.')
    .showHelpAfterError()
    .exitOverride();

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
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
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

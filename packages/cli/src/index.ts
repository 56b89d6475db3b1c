// @routelab/cli as a library: run experiments programmatically with the same run directories as the CLI.
export { resumeRun, runExperiment } from './runs/index.ts';
export { EXPERIMENTS, findExperiment, knownExperiments, registerExperiment } from './experiments.ts';
export { runPool } from './pool/worker_pool.ts';
export type { CellOutcome, CellTask, PoolOptions } from './pool/worker_pool.ts';
export { exposeCell } from './pool/cell_protocol.ts';

// Run infrastructure of the cli: run directories, metrics, checkpoints, Ctrl-C and resume.
export { runExperiment, resumeRun, displayPath } from './runner.ts';
export type { ResumeOptions, RunControlOptions, RunOptions, RunOutcome } from './runner.ts';
export type { ConfigRequest } from './config_resolution.ts';
export { ExitStatus, RunFileError } from './errors.ts';
export type { LogStream } from './progress_reporter.ts';
export { readRunManifest, runPaths } from './run_directory.ts';
export type { RunPaths } from './run_directory.ts';
export { RUN_MANIFEST_FORMAT, RUN_STATUSES, runManifestSchema } from './run_manifest.ts';
export type { RunManifest, RunStatus } from './run_manifest.ts';

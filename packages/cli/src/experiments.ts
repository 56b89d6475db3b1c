// The experiments `routelab run <experiment>` knows, by id. Each entry brings its own config schema and
// presets (see Experiment in @routelab/core); the runner (runs/runner.ts) does the rest: run directory,
// metrics, checkpoints, Ctrl-C and resume.
import type { Experiment } from '@routelab/core';
import { personaExperiment, rlExperiment } from '@routelab/persona';
import { mnistSplitExperiment } from '@routelab/routing';
import { UsageError } from './errors.ts';

/**
 * An experiment of any config type: the table holds several, each checked against its own schema. `unknown`
 * rather than `any` works because run() is declared as a method (bivariant in its parameter), so an
 * Experiment<MnistSplitConfig> is assignable while nothing is left untyped.
 */
export type AnyExperiment = Experiment<unknown>;

export type ExperimentTable = Readonly<Record<string, AnyExperiment>>;

/** Keyed by Experiment.id (registerExperiment checks that key and id agree). */
export const EXPERIMENTS: Record<string, AnyExperiment> = {
  [mnistSplitExperiment.id]: mnistSplitExperiment as AnyExperiment,
  [personaExperiment.id]: personaExperiment as AnyExperiment,
  [rlExperiment.id]: rlExperiment as AnyExperiment,
};

/** Adds an experiment to the table: for experiments defined outside the cli (plugins, tests). */
export function registerExperiment(experiment: AnyExperiment, table: Record<string, AnyExperiment> = EXPERIMENTS): void {
  if (Object.hasOwn(table, experiment.id)) throw new Error(`experiment "${experiment.id}" is already registered`);
  table[experiment.id] = experiment;
}

export function knownExperiments(table: ExperimentTable = EXPERIMENTS): string {
  const ids = Object.keys(table).sort();
  return ids.length > 0 ? ids.join(', ') : '(none registered)';
}

/** The experiment with this id; a UsageError (exit 2) listing the known ones otherwise. */
export function findExperiment(id: string, table: ExperimentTable = EXPERIMENTS): AnyExperiment {
  if (!Object.hasOwn(table, id)) throw new UsageError(`unknown experiment "${id}"; known: ${knownExperiments(table)}`);
  return table[id]!;
}

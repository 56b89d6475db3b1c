// Pool worker: runs one part of an experiment (Experiment.parts) against the run directory of the main
// thread, which it reaches through the PartHost proxy. The backend, setup modules and plugins are set up
// once per worker; each part then gets a fresh RunContext.
import { selectBackend, tf } from '@routelab/core';
import type { BackendName, RunContext } from '@routelab/core';
import { loadPlugin } from '@routelab/routing';
import { exposeCell } from '../pool/cell_protocol.ts';
import { findExperiment } from '../experiments.ts';
import { importSetupModules } from '../setup_modules.ts';
import { fromPlainCheckpoint, toPlainCheckpoint } from './part_host.ts';
import type { PartHost } from './part_host.ts';

export interface PartSpec {
  experiment: string;
  part: string;
  /** The resolved config (as saved in config.json). */
  config: unknown;
  seed: number;
  backend: BackendName;
  plugins: string[];
}

await importSetupModules();

let ready: Promise<void> | undefined;
function setUp(spec: PartSpec): Promise<void> {
  ready ??= (async () => {
    for (const plugin of spec.plugins) await loadPlugin(plugin);
    await selectBackend(spec.backend);
  })();
  return ready;
}

exposeCell<PartSpec, void, PartHost>(async (spec, cell) => {
  await setUp(spec);
  const host = cell.host;
  if (!host) throw new Error('part worker started without a host');
  const experiment = findExperiment(spec.experiment);
  if (!experiment.parts) throw new Error(`experiment "${spec.experiment}" has no parts`);
  const ctx: RunContext = {
    backend: tf.getBackend() as BackendName,
    seed: spec.seed,
    emit: (event) => void host.emit(event),
    progress: cell.onProgress,
    stopRequested: cell.stopRequested,
    saveCheckpoint: async (name, payload) => host.saveCheckpoint(name, await toPlainCheckpoint(payload)),
    loadCheckpoint: async (name) => {
      const plain = await host.loadCheckpoint(name);
      return plain ? fromPlainCheckpoint(plain) : undefined;
    },
    saveResult: (name, result) => host.saveResult(name, result),
    loadResult: async <T>(name: string) => (await host.loadResult(name)) as T | undefined,
  };
  await experiment.parts.run(experiment.configSchema.parse(spec.config), spec.part, ctx);
});

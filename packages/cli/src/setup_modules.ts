// ROUTELAB_SETUP_MODULES: comma-separated module paths imported before anything else, in the command and in
// every sweep worker and Slurm task (they inherit the environment). This is how an experiment defined
// outside the cli (a researcher's own, or a test's) becomes known to `routelab run`, `sweep` and `collect`.
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const SETUP_MODULES_ENV = 'ROUTELAB_SETUP_MODULES';

/** The modules as absolute file URLs (relative paths are taken from the working directory). */
export function setupModuleUrls(value = process.env[SETUP_MODULES_ENV]): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((p) => (p.startsWith('file:') ? p : pathToFileURL(isAbsolute(p) ? p : resolve(p)).href));
}

export async function importSetupModules(): Promise<void> {
  for (const url of setupModuleUrls()) {
    try {
      await import(url);
    } catch (err) {
      throw new Error(`${SETUP_MODULES_ENV}: cannot import ${url}: ${(err as Error).message}`);
    }
  }
  // Children (workers, Slurm tasks) resolve them the same way even from another working directory.
  if (process.env[SETUP_MODULES_ENV]) process.env[SETUP_MODULES_ENV] = setupModuleUrls().join(',');
}

// Where the built viewer is, and building it when it is not there yet. The viewer lives beside the cli in
// this monorepo (apps/viewer); `vite build` writes apps/viewer/dist. A checkout that has never built it gets
// it built on the first `routelab view` (about half a minute), through the viewer's own vite.
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VIEWER_DIR = fileURLToPath(new URL('../../../../apps/viewer/', import.meta.url));
export const DEFAULT_DIST = join(VIEWER_DIR, 'dist');

export async function isBuilt(distDir: string): Promise<boolean> {
  return access(join(distDir, 'index.html')).then(
    () => true,
    () => false,
  );
}

/** Runs the viewer's `vite build`; resolves to an error message, or undefined when it worked. */
export async function buildViewer(log: (line: string) => void): Promise<string | undefined> {
  let viteBin: string;
  try {
    const require = createRequire(join(VIEWER_DIR, 'package.json'));
    viteBin = join(require.resolve('vite/package.json').replace(/package\.json$/, ''), 'bin', 'vite.js');
    await access(viteBin);
  } catch {
    return `vite is not installed for the viewer (${VIEWER_DIR}); run npm install at the repository root`;
  }
  log('building the viewer (vite build, once)...');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [viteBin, 'build', '--logLevel', 'error'], { cwd: VIEWER_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (err) => resolve(`vite build could not start: ${err.message}`));
    child.on('close', (code) => resolve(code === 0 ? undefined : `vite build exited with status ${code}`));
  });
}

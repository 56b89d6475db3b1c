// `routelab view [runs-dir] [--port N] [--host H] [--dist DIR] [--no-build]`: serves the viewer and the runs
// in runs-dir (default ./runs), read-only, on 127.0.0.1:8737 unless told otherwise, until Ctrl-C.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { displayPath } from '../runs/index.ts';
import { isLoopback, startViewServer, type ViewServer } from '../view/server.ts';
import { DEFAULT_DIST, buildViewer, isBuilt } from '../view/viewer_dist.ts';
import { parseCount } from './run.ts';

export interface ViewCommandOptions {
  port?: string;
  host?: string;
  dist?: string;
  /** commander's --no-build sets build: false. */
  build?: boolean;
}

export async function startView(runsDirArg: string | undefined, options: ViewCommandOptions, log: (line: string) => void): Promise<ViewServer> {
  const runsDir = resolve(runsDirArg ?? 'runs');
  const info = await stat(runsDir).catch(() => undefined);
  if (!info) throw new UsageError(`runs directory ${displayPath(runsDir)} does not exist`);
  if (!info.isDirectory()) throw new UsageError(`${displayPath(runsDir)} is not a directory`);
  const port = parseCount('--port', options.port, { min: 0 }) ?? 8737;
  if (port > 65535) throw new UsageError(`--port: ${port} is not a port number (0-65535)`);

  const distDir = resolve(options.dist ?? process.env.ROUTELAB_VIEWER_DIST ?? DEFAULT_DIST);
  let dist: string | undefined = distDir;
  if (!(await isBuilt(distDir))) {
    const problem = options.build === false || options.dist ? 'not built' : await buildViewer(log);
    if (problem !== undefined || !(await isBuilt(distDir))) {
      log(`the viewer app is not available (${problem ?? 'no index.html'} in ${displayPath(distDir)}); serving the API only.`);
      log('build it with: npm run build -w @routelab/viewer');
      dist = undefined;
    }
  }
  const host = options.host ?? '127.0.0.1';
  let server: ViewServer;
  try {
    server = await startViewServer({ runsDir, ...(dist ? { distDir: dist } : {}), host, port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`--port ${port} is in use; choose another (--port 0 picks a free one)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`--host ${host}: no such local address`);
    throw err;
  }
  if (!isLoopback(host)) log(`warning: listening on ${host}: anyone who can reach this address can read these runs`);
  log(`serving ${displayPath(runsDir)} (read-only) at ${server.url}`);
  return server;
}

export async function viewCommand(runsDir: string | undefined, options: ViewCommandOptions): Promise<void> {
  const server = await startView(runsDir, options, (line) => process.stdout.write(`${line}\n`));
  process.stdout.write('press Ctrl-C to stop\n');
  await new Promise<void>((resolveStop) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(resolveStop);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

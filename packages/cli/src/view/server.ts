// `routelab view`'s HTTP server (node:http only): the built viewer (apps/viewer/dist) and a read-only JSON
// API over a runs directory.
//
//   GET /api/runs                         every run: id, experiment, preset, status, key metrics, load errors
//   GET /api/runs/<id>                    manifest, config, report (JSON and Markdown), checkpoints, results
//   GET /api/runs/<id>/metrics?since=N    metrics.jsonl lines from N (poll with `next` for a live run);
//                                         &kind=a,b keeps only those event kinds, &notKind=a,b drops them
//   GET /api/runs/<id>/files/<path>       a raw file of that run (checkpoints, results...)
//   GET /<anything else>                  the viewer's static files (hash routing: / serves index.html)
//
// <id> is the run directory relative to the runs directory, percent-encoded as one segment ("a%2Fb" for a
// nested one). Requests are refused before any file is opened: only GET (else 405), only paths that resolve
// (symlinks included) inside the runs directory or the viewer's dist (else 404), and, when bound to a
// loopback address, only Host headers naming a loopback host (else 403), so a web page cannot reach the
// server through DNS rebinding.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import type { RunList } from './api_types.ts';
import { readMetricsPage } from './metrics_pages.ts';
import { RunReader } from './run_reader.ts';
import { resolveInside, splitRequestPath } from './safe_path.ts';

export interface ViewServerOptions {
  runsDir: string;
  /** The built viewer; undefined serves the API and a page that says how to build the viewer. */
  distDir?: string;
  host?: string;
  /** 0 = any free port. */
  port?: number;
}

export interface ViewServer {
  url: string;
  host: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
}

/** The hostname of a Host header ("127.0.0.1:8737" -> "127.0.0.1", "[::1]:80" -> "[::1]"). */
function hostnameOf(header: string): string {
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1);
  const colon = header.lastIndexOf(':');
  return (colon >= 0 ? header.slice(0, colon) : header).toLowerCase();
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json; charset=utf-8', extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...extra });
  res.end(body);
}

const json = (res: ServerResponse, value: unknown, status = 200) => send(res, status, `${JSON.stringify(value)}\n`);
const notFound = (res: ServerResponse) => json(res, { error: 'not found' }, 404);

async function sendFile(res: ServerResponse, path: string, cache: string): Promise<void> {
  const info = await stat(path);
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': info.size,
    'Cache-Control': cache,
    'X-Content-Type-Options': 'nosniff',
  });
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(path);
    stream.on('error', reject);
    stream.on('end', resolve);
    stream.pipe(res);
  });
}

const NOT_BUILT_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>routelab viewer</title></head>
<body><main><h1>routelab viewer: not built</h1>
<p>The API is being served (<a href="/api/runs">/api/runs</a>), but the web app has not been built.
Build it with <code>npm run build -w @routelab/viewer</code> and reload this page.</p></main></body></html>\n`;

export async function startViewServer(options: ViewServerOptions): Promise<ViewServer> {
  const reader = await RunReader.open(options.runsDir);
  const realDist = options.distDir ? await realpath(options.distDir) : undefined;
  const host = options.host ?? '127.0.0.1';
  const checkHost = isLoopback(host);

  async function api(segments: string[], query: URLSearchParams, res: ServerResponse): Promise<void> {
    // segments: ['runs', ...]
    if (segments[0] !== 'runs') return notFound(res);
    if (segments.length === 1) {
      const list: RunList = { runsDir: reader.realRoot, runs: await reader.list() };
      return json(res, list);
    }
    const id = segments[1]!;
    if (segments.length === 2) {
      const detail = await reader.detail(id);
      return detail ? json(res, detail) : notFound(res);
    }
    if (segments[2] === 'metrics' && segments.length === 3) {
      const dir = await reader.runDir(id);
      if (!dir) return notFound(res);
      const since = Number(query.get('since') ?? 0);
      const limit = Number(query.get('limit') ?? Infinity);
      if (!Number.isSafeInteger(since) || since < 0) return json(res, { error: 'since must be a non-negative integer' }, 400);
      const kinds = (name: string) => {
        const list = query.get(name);
        return list ? new Set(list.split(',').filter(Boolean)) : undefined;
      };
      const only = kinds('kind');
      const except = kinds('notKind');
      const page = await readMetricsPage(join(dir, 'metrics.jsonl'), since, Number.isSafeInteger(limit) && limit > 0 ? limit : undefined, {
        ...(only ? { only } : {}),
        ...(except ? { except } : {}),
      });
      return json(res, page);
    }
    if (segments[2] === 'files' && segments.length > 3) {
      const file = await reader.runFile(id, segments.slice(3));
      return file ? sendFile(res, file, 'no-cache') : notFound(res);
    }
    return notFound(res);
  }

  async function staticFile(segments: string[], res: ServerResponse): Promise<void> {
    if (!realDist) return segments.length === 0 ? send(res, 200, NOT_BUILT_PAGE, 'text/html; charset=utf-8') : notFound(res);
    const path = await resolveInside(realDist, segments.length === 0 ? ['index.html'] : segments);
    if (!path || !(await stat(path).then((s) => s.isFile(), () => false))) return notFound(res);
    // Vite puts content hashes in asset names, so those may be cached; index.html may not.
    const hashed = segments[0] === 'assets';
    return sendFile(res, path, hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET') return send(res, 405, `${JSON.stringify({ error: 'method not allowed: the viewer is read-only' })}\n`, undefined, { Allow: 'GET' });
    if (checkHost && !isLoopback(hostnameOf(req.headers.host ?? ''))) return json(res, { error: 'forbidden host' }, 403);
    const parsed = splitRequestPath(req.url ?? '/');
    if (!parsed) return notFound(res);
    const { segments, query } = parsed;
    if (segments[0] === 'api') return api(segments.slice(1), query, res);
    return staticFile(segments, res);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, { error: `internal error: ${err instanceof Error ? err.message : String(err)}` }, 500);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8737, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/`,
    host: address.address,
    port: address.port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// The viewer server over a hand-made runs directory: the API's answers, malformed and half-written runs
// listed with their own error, and every way out of the runs directory refused with 404 before anything is
// read (the escape targets are FIFOs: opening one for reading would block, so a request that answers at all
// proves the server never opened it).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsPage, RunDetail, RunList } from './api_types.ts';
import { startViewServer, type ViewServer } from './server.ts';

// Made at collection time: the escape paths below name it.
const root = mkdtempSync(join(tmpdir(), 'routelab-view-'));
const runs = join(root, 'runs');
const outside = join(root, 'outside');
const dist = join(root, 'dist');
let server: ViewServer;

const manifest = (over: Record<string, unknown> = {}) => ({
  format: 'routelab.run',
  formatVersion: 1,
  experiment: 'linreg',
  preset: 'tiny',
  routelabVersion: '0.1.0',
  node: 'v20',
  platform: 'linux-x64',
  backend: { requested: 'cpu', chosen: 'cpu', reason: 'requested by name' },
  seed: 0,
  gitCommit: null,
  startedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: '2025-01-01T00:01:00.000Z',
  status: 'finished',
  pid: 1,
  host: 'h',
  metricsLines: 2,
  resumes: [],
  plugins: [],
  ...over,
});

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request: the path goes out exactly as written (no client-side normalisation of "..", "%2e"). */
function get(path: string, options: { method?: string; host?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, method: options.method ?? 'GET', headers: { host: options.host ?? `127.0.0.1:${server.port}` }, timeout: 5000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request ${path} timed out (did the server open a FIFO?)`)));
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  mkdirSync(outside, { recursive: true });
  // Escape targets are FIFOs: reading one blocks until a writer comes, which never happens.
  execFileSync('mkfifo', [join(outside, 'secret.json')]);
  execFileSync('mkfifo', [join(root, 'secret.txt')]);
  mkdirSync(join(outside, 'run'), { recursive: true });
  execFileSync('mkfifo', [join(outside, 'run', 'manifest.json')]);

  const good = join(runs, 'good');
  write(join(good, 'manifest.json'), JSON.stringify(manifest()));
  write(join(good, 'config.json'), JSON.stringify({ steps: 40, lr: 0.05 }));
  write(join(good, 'metrics.jsonl'), '{"kind":"train","step":10,"loss":2}\n{"kind":"train","step":20,"loss":1}\nnot json\n{"kind":"eval","lo');
  write(join(good, 'report.json'), JSON.stringify({ keyMetrics: { 'final loss': 0.25 }, other: 3 }));
  write(join(good, 'report.md'), '# linreg\n');
  write(join(good, 'results', 'seed-1.json'), JSON.stringify({ w: 3 }));
  write(join(good, 'checkpoints', 'nested', 'seed-1.manifest.json'), JSON.stringify({ file: 'seed-1.safetensors', byteSize: 8, tensors: [], metadata: { step: 20 } }));
  write(join(good, 'checkpoints', 'nested', 'seed-1.safetensors'), 'abcdefgh');
  symlinkSync(join(outside, 'secret.json'), join(good, 'results', 'leak.json'));
  symlinkSync(join(good, 'results', 'seed-1.json'), join(good, 'results', 'alias.json'));

  write(join(runs, 'bad-json', 'manifest.json'), '{"format": "routelab.run", ');
  write(join(runs, 'bad-schema', 'manifest.json'), JSON.stringify(manifest({ status: 'exploded' })));
  write(join(runs, 'half', 'config.json'), '{}');
  write(join(runs, 'failed', 'manifest.json'), JSON.stringify(manifest({ status: 'failed', error: 'diverged at step 3' })));
  write(join(runs, 'failed', 'report.json'), '{oops');
  write(join(runs, 'compare-1', 'report.json'), JSON.stringify({ format: 'routelab.compare', experiment: 'persona', rows: [] }));
  write(join(runs, 'sweep-a', 'sweep.json'), JSON.stringify({ format: 'routelab.sweep' }));
  write(join(runs, 'sweep-a', 'cells', '0', 'manifest.json'), JSON.stringify(manifest({ seed: 7 })));
  symlinkSync(outside, join(runs, 'escape'));
  symlinkSync(good, join(runs, 'alias-run'));

  write(join(dist, 'index.html'), '<!doctype html><title>viewer</title>');
  write(join(dist, 'assets', 'app.js'), 'console.log(1)');
  server = await startViewServer({ runsDir: runs, distDir: dist, port: 0 });
});

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('GET /api/runs', () => {
  it('lists every run; malformed and half-written ones carry their own error', async () => {
    const reply = await get('/api/runs');
    expect(reply.status).toBe(200);
    const list = JSON.parse(reply.body) as RunList;
    const byId = Object.fromEntries(list.runs.map((r) => [r.id, r]));
    expect(Object.keys(byId).sort()).toEqual(
      ['alias-run', 'bad-json', 'bad-schema', 'compare-1', 'escape', 'failed', 'good', 'half', 'sweep-a', 'sweep-a/cells/0'].sort(),
    );
    expect(byId.good).toMatchObject({ kind: 'run', experiment: 'linreg', preset: 'tiny', status: 'finished', seed: 0, backend: 'cpu', hasReport: true, keyMetrics: { 'final loss': 0.25 } });
    expect(byId.good!.loadError).toBeUndefined();
    expect(byId['bad-json']!.loadError).toMatch(/manifest\.json is not valid JSON/);
    expect(byId['bad-schema']!.loadError).toMatch(/status/);
    expect(byId['bad-schema']!.experiment).toBe('linreg');
    expect(byId.half!.loadError).toMatch(/manifest\.json is missing/);
    expect(byId.failed).toMatchObject({ status: 'failed', error: 'diverged at step 3', reportError: expect.stringMatching(/report\.json is not valid JSON/) });
    expect(byId['compare-1']).toMatchObject({ kind: 'collection', collection: 'compare', experiment: 'persona' });
    expect(byId['sweep-a']).toMatchObject({ kind: 'collection', collection: 'sweep' });
    expect(byId['sweep-a/cells/0']).toMatchObject({ kind: 'run', seed: 7 });
    expect(byId.escape!.loadError).toMatch(/outside the runs directory/);
    expect(byId['alias-run']).toMatchObject({ status: 'finished' });
  });
});

describe('GET /api/runs/:id', () => {
  it('gives manifest, config, reports, checkpoints and results', async () => {
    const reply = await get('/api/runs/good');
    expect(reply.status).toBe(200);
    const detail = JSON.parse(reply.body) as RunDetail;
    expect(detail.config).toEqual({ steps: 40, lr: 0.05 });
    expect(detail.reportMarkdown).toBe('# linreg\n');
    // Only regular files are listed (symlinks are served when they resolve inside, but not advertised).
    expect(detail.results).toEqual(['seed-1']);
    expect(detail.checkpoints).toEqual([
      expect.objectContaining({ name: 'nested/seed-1', file: 'checkpoints/nested/seed-1.safetensors', byteSize: 8, metadata: { step: 20 } }),
    ]);
    expect(detail.metricsLines).toBe(3);
  });

  it('reads nested run ids given as one encoded segment', async () => {
    const reply = await get('/api/runs/sweep-a%2Fcells%2F0');
    expect(reply.status).toBe(200);
    expect((JSON.parse(reply.body) as RunDetail).summary.seed).toBe(7);
  });

  it('details of a malformed run still answer, with the error', async () => {
    const detail = JSON.parse((await get('/api/runs/bad-json')).body) as RunDetail;
    expect(detail.summary.loadError).toMatch(/not valid JSON/);
  });
});

describe('GET /api/runs/:id/metrics', () => {
  it('pages lines from `since`, skipping bad lines and leaving a torn last line', async () => {
    const page = JSON.parse((await get('/api/runs/good/metrics?since=0')).body) as MetricsPage;
    expect(page).toMatchObject({ from: 0, next: 3, total: 3, partialTail: true });
    expect(page.events).toEqual([
      { kind: 'train', step: 10, loss: 2 },
      { kind: 'train', step: 20, loss: 1 },
    ]);
    expect(page.bad).toEqual([{ line: 2, problem: expect.any(String) }]);
    const later = JSON.parse((await get('/api/runs/good/metrics?since=1&limit=1')).body) as MetricsPage;
    expect(later).toMatchObject({ from: 1, next: 2, events: [{ step: 20 }] });
    expect((await get('/api/runs/good/metrics?since=-1')).status).toBe(400);
  });

  it('filters by event kind without changing the line numbers', async () => {
    const only = JSON.parse((await get('/api/runs/good/metrics?since=0&kind=eval')).body) as MetricsPage;
    expect(only).toMatchObject({ next: 3, total: 3, events: [] });
    const except = JSON.parse((await get('/api/runs/good/metrics?since=0&notKind=train')).body) as MetricsPage;
    expect(except.events).toEqual([]);
    const train = JSON.parse((await get('/api/runs/good/metrics?since=0&kind=train,eval')).body) as MetricsPage;
    expect(train.events).toHaveLength(2);
  });
});

describe('GET /api/runs/:id/files/...', () => {
  it('serves files inside the run, symlinks that stay inside included', async () => {
    const reply = await get('/api/runs/good/files/results/seed-1.json');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(reply.body)).toEqual({ w: 3 });
    expect((await get('/api/runs/good/files/results/alias.json')).status).toBe(200);
    expect((await get('/api/runs/good/files/checkpoints/nested/seed-1.safetensors')).body).toBe('abcdefgh');
  });

  const escapes = [
    '/api/runs/good/files/../../secret.txt',
    '/api/runs/good/files/results/../../../secret.txt',
    '/api/runs/good/files/%2e%2e/%2e%2e/secret.txt',
    '/api/runs/good/files/%2E%2E%2F%2E%2E%2Fsecret.txt',
    '/api/runs/good/files/..%2F..%2Fsecret.txt',
    '/api/runs/good/files/..%5C..%5Csecret.txt',
    '/api/runs/good/files//etc/passwd',
    '/api/runs/good/files/%2Fetc%2Fpasswd',
    `/api/runs/good/files/${encodeURIComponent(join(root, 'secret.txt'))}`,
    '/api/runs/good/files/results/leak.json',
    '/api/runs/good/files/results/seed-1.json%00.txt',
    '/api/runs/..%2Foutside/files/secret.json',
    '/api/runs/%2e%2e/files/secret.txt',
    '/api/runs/escape/files/secret.json',
    '/api/runs/escape',
    '/api/runs/escape/metrics',
    '/api/runs/..',
    '/api/runs/.',
    `/api/runs/${encodeURIComponent(outside)}/files/secret.json`,
    '/api/runs/good/files/%zz',
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/../../secret.txt',
  ];
  it.each(escapes)('refuses %s with 404, without reading it', async (path) => {
    const reply = await get(path);
    expect(reply.status).toBe(404);
    expect(reply.body).not.toMatch(/secret/);
  });

  it('404s for a missing file, a directory, and an unknown run', async () => {
    expect((await get('/api/runs/good/files/nope.json')).status).toBe(404);
    expect((await get('/api/runs/good/files/results')).status).toBe(404);
    expect((await get('/api/runs/nope')).status).toBe(404);
    expect((await get('/api/runs/nope/metrics')).status).toBe(404);
    expect((await get('/api/nothing')).status).toBe(404);
  });
});

describe('methods, hosts and static files', () => {
  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('%s is 405 (read-only)', async (method) => {
    const reply = await get('/api/runs', { method });
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('GET');
  });

  it('refuses Host headers that do not name a loopback host (DNS rebinding)', async () => {
    expect((await get('/api/runs', { host: 'evil.example:8737' })).status).toBe(403);
    expect((await get('/api/runs', { host: 'localhost:8737' })).status).toBe(200);
  });

  it('serves the viewer, with index.html at /', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expect(index.body).toContain('<title>viewer</title>');
    const asset = await get('/assets/app.js');
    expect(asset.headers['cache-control']).toMatch(/immutable/);
    expect((await get('/missing.js')).status).toBe(404);
  });

  it('binds 127.0.0.1 by default', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
  });
});

describe('without a built viewer', () => {
  it('serves the API and a page saying how to build the viewer', async () => {
    const bare = await startViewServer({ runsDir: runs, port: 0 });
    try {
      const page = await new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port: bare.port, path: '/' }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve(body));
        })
          .on('error', reject)
          .end();
      });
      expect(page).toContain('npm run build -w @routelab/viewer');
    } finally {
      await bare.close();
    }
  });
});

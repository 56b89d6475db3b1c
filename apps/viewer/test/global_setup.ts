// End-to-end setup: build the viewer if its sources changed since the last build, make a fixture runs
// directory (real short runs of linreg, mnist-split and persona through `routelab run`, a `routelab compare`,
// bad input: see fixtures/make_fixtures.ts), start a second linreg run that keeps running through the tests
// (to watch live updates), and serve it all with the real `routelab view --port 0`. Without /usr/bin/chromium
// the tests are skipped (and say why), unless ROUTELAB_REQUIRE_BROWSER=1 (CI), which makes that a failure.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { browserMissing } from './browser.ts';
import type { E2eContext } from './e2e_context.ts';
import { CLI_DIR, REPO_ROOT, linregArgs, type FixtureSummary } from './fixtures/make_fixtures.ts';

const VIEWER_DIR = fileURLToPath(new URL('..', import.meta.url));
const ARTIFACTS = join(VIEWER_DIR, 'test-artifacts');

/** Newest modification time of the files that go into the bundle. */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of ['apps/viewer/src', 'packages/core/src', 'packages/routing/src', 'packages/persona/src']) walk(join(REPO_ROOT, dir));
  for (const file of ['apps/viewer/index.html', 'apps/viewer/vite.config.ts', 'apps/viewer/package.json']) newest = Math.max(newest, statSync(join(REPO_ROOT, file)).mtimeMs);
  return newest;
}

function ensureBuilt(): void {
  const index = join(VIEWER_DIR, 'dist', 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs > newestSource()) return;
  const vite = join(VIEWER_DIR, 'node_modules', 'vite', 'bin', 'vite.js');
  const bin = existsSync(vite) ? vite : join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const build = spawnSync(process.execPath, [bin, 'build', '--logLevel', 'error'], { cwd: VIEWER_DIR, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`vite build failed:\n${build.stdout}\n${build.stderr}`);
}

function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const missing = browserMissing();
  if (missing) {
    if (process.env.ROUTELAB_REQUIRE_BROWSER === '1') throw new Error(`ROUTELAB_REQUIRE_BROWSER=1 but ${missing} (apt-get install chromium)`);
    project.provide('viewerE2e', { skip: missing, artifactsDir: ARTIFACTS } satisfies E2eContext);
    return async () => {};
  }
  ensureBuilt();
  const root = mkdtempSync(join(tmpdir(), 'routelab-viewer-e2e-'));
  const runsDir = join(root, 'runs');
  let live: ChildProcess | undefined;
  let server: ChildProcess | undefined;
  const teardown = async () => {
    await stop(server);
    await stop(live);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const made = spawnSync(process.execPath, ['--import', 'tsx', join(VIEWER_DIR, 'test', 'fixtures', 'make_fixtures.ts'), runsDir], { cwd: VIEWER_DIR, encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`make_fixtures failed:\n${made.stdout}\n${made.stderr}`);
    const fixtures = JSON.parse(made.stdout) as FixtureSummary;

    // A run that keeps running while the tests look at it: slow steps, a metrics line about every 0.5 s.
    const liveRun = 'linreg-live';
    const liveConfig = join(root, 'live.json');
    writeFileSync(liveConfig, JSON.stringify({ steps: 5000, seeds: 1, logEvery: 5, checkpointEvery: 1000 }));
    live = spawn(process.execPath, linregArgs(join(runsDir, liveRun), ['--preset', 'tiny', '--config', liveConfig]), {
      cwd: CLI_DIR,
      env: { ...process.env, LINREG_STEP_DELAY_MS: '100' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const metrics = join(runsDir, liveRun, 'metrics.jsonl');
    await waitFor('the live run to write metrics', () => existsSync(metrics) && statSync(metrics).size > 0, 60_000);

    server = spawn(process.execPath, [join(REPO_ROOT, 'packages', 'cli', 'bin', 'routelab.mjs'), 'view', runsDir, '--port', '0', '--no-build'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    server.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor('routelab view to print its URL', () => /at (http:\/\/\S+)/.test(out), 30_000);
    const baseUrl = /at (http:\/\/\S+)/.exec(out)![1]!;
    project.provide('viewerE2e', { baseUrl, fixtures, liveRun, artifactsDir: ARTIFACTS } satisfies E2eContext);
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}

// Dawn (WebGPU in Node) prints warnings about a software adapter's limits straight to stderr when it first
// lists adapters. They are kept out of every command's output unless --verbose asks for them.
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { routelab } from './fixtures/cli_helpers.ts';

// The cheapest command that creates Dawn and lists its adapters.
const WEBGPU_COMMAND = ['bench', 'kernels', '--backends', 'webgpu', '--sizes', '1K', '--json'];
const DAWN_CHATTER = /artificially reduced|^Warning: /m;

const verbose = routelab(['--verbose', ...WEBGPU_COMMAND]);
// Whether Dawn says anything on this machine's adapter at all (lavapipe does; a machine without Vulkan has no adapter).
const dawnChats = DAWN_CHATTER.test(verbose.stderr);

const dir = mkdtempSync(join(tmpdir(), 'routelab-native-logs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The native module's dup/dup2 make the swap exact for any stderr; without the module only terminals, pipes and
// files opened for appending are quieted (CI builds it and requires it).
const nativeModule = fileURLToPath(new URL('../../core/native/build/routelab_blas.node', import.meta.url));
const native = existsSync(nativeModule) ? (createRequire(import.meta.url)(nativeModule) as { dup?: unknown }) : undefined;
const nativeDup = typeof native?.dup === 'function';
const noDupReason = native ? 'the native module predates dup/dup2 (npm run build:native)' : 'the native module is not built (npm run build:native)';

describe('native library messages', () => {
  it('--verbose is accepted before or after the command and leaves the output as it was', () => {
    expect(verbose.code, verbose.stderr).toBe(0);
    expect(JSON.parse(verbose.stdout)).toMatchObject({ benchmark: 'kernels' });
    const after = routelab([...WEBGPU_COMMAND, '--verbose']);
    expect(after.code, after.stderr).toBe(0);
    expect(DAWN_CHATTER.test(after.stderr)).toBe(dawnChats);
  });

  it.skipIf(!dawnChats)('are kept out of stderr by default when it is a terminal pipe (`routelab ... 2>&1 | tee log`)', () => {
    // A shell pipe, as a terminal user gets: Node's own child-process pipes are sockets, which cannot be
    // reopened (see core's quiet_stderr_node.ts), so the command runs under bash.
    const bin = fileURLToPath(new URL('../bin/routelab.mjs', import.meta.url));
    const line = [process.execPath, bin, ...WEBGPU_COMMAND].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('bash', ['-c', `${line} 2>&1 >/dev/null | cat`], { encoding: 'utf8', timeout: 240_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(DAWN_CHATTER);
  });

  it.skipIf(!dawnChats)('are kept out of a log file opened for appending, and stderr works as before afterwards', () => {
    const log = join(dir, 'stderr.log');
    writeFileSync(log, 'before\n');
    const fd = openSync(log, 'a');
    // Loading webgpu is what creates Dawn; the process then writes to its stderr again.
    const core = fileURLToPath(new URL('../../core/src/index.ts', import.meta.url));
    const script = `const core = await import(${JSON.stringify(core)}); await core.useBackend('webgpu'); process.stderr.write('after\\n');`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', fd], encoding: 'utf8', timeout: 240_000 });
    closeSync(fd);
    expect(r.status).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe('before\nafter\n');
  });

  const script = (core: string) => `const core = await import(${JSON.stringify(core)}); await core.useBackend('webgpu'); process.stderr.write('after\\n');`;
  const core = fileURLToPath(new URL('../../core/src/index.ts', import.meta.url));

  it.skipIf(!dawnChats || !nativeDup)(`with the native module, are kept out of a file opened without appending (\`> log 2>&1\`)${nativeDup ? '' : ` (skipped: ${noDupReason})`}`, () => {
    const log = join(dir, 'truncated.log');
    const fd = openSync(log, 'w');
    writeSync(fd, 'before\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(core)], { stdio: ['ignore', 'pipe', fd], encoding: 'utf8', timeout: 240_000 });
    closeSync(fd);
    expect(r.status).toBe(0);
    // Nothing overwritten or lost: the same file offset comes back after the swap.
    expect(readFileSync(log, 'utf8')).toBe('before\nafter\n');
  });

  it.skipIf(!dawnChats || !nativeDup)(`with the native module, are kept out of a socket (Node's child-process pipes)${nativeDup ? '' : ` (skipped: ${noDupReason})`}`, () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(core)], { encoding: 'utf8', timeout: 240_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('after\n');
  });
});

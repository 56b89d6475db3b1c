// `routelab view`'s checks before it serves: the runs directory, the port, a missing viewer build.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { startView } from './view.ts';

const root = mkdtempSync(join(tmpdir(), 'routelab-view-cmd-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const quiet = () => {};

describe('routelab view', () => {
  it('refuses a missing runs directory, a file, and bad ports, as usage errors', async () => {
    await expect(startView(join(root, 'nope'), {}, quiet)).rejects.toThrow(/does not exist/);
    writeFileSync(join(root, 'file'), '');
    await expect(startView(join(root, 'file'), {}, quiet)).rejects.toThrow(/is not a directory/);
    await expect(startView(root, { port: 'abc' }, quiet)).rejects.toBeInstanceOf(UsageError);
    await expect(startView(root, { port: '70000' }, quiet)).rejects.toThrow(/not a port number/);
  });

  it('says when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startView(root, { port: String(port), dist: join(root, 'no-dist') }, quiet)).rejects.toThrow(/in use/);
    } finally {
      blocker.close();
    }
  });

  it('serves the API without a built viewer when told not to build, and says how to build it', async () => {
    const lines: string[] = [];
    const server = await startView(root, { port: '0', build: false, dist: join(root, 'no-dist') }, (l) => lines.push(l));
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(lines.join('\n')).toMatch(/npm run build -w @routelab\/viewer/);
      expect(lines.at(-1)).toMatch(/serving .* \(read-only\) at http:\/\/127\.0\.0\.1:\d+\//);
      const res = await fetch(`${server.url}api/runs`);
      expect(res.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

// The dependency direction of the workspace is enforced by lint, not by convention: check that the rule
// really fires on a wrong-way import (it needs Nx's project graph, which any nx command caches; the test
// suite runs under nx). Deep imports are refused by each package's exports map, which names only its index.
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: `${root}/${file}` });
  return result!.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('module boundaries', () => {
  it('core may not import routing (dependencies point one way)', async () => {
    const errors = await boundaryErrors('packages/core/src/fixture.ts', "import { x } from '@routelab/routing';\nexport { x };\n");
    expect(errors.join('\n')).toMatch(/scope:core|Circular dependency/);
  });

  it('the viewer may not import the cli', async () => {
    const errors = await boundaryErrors('apps/viewer/src/fixture.ts', "import { x } from '@routelab/cli';\nexport { x };\n");
    expect(errors.length).toBeGreaterThan(0);
  });

  it('the cli may import core through its index', async () => {
    const errors = await boundaryErrors('packages/cli/src/fixture.ts', "import { tf } from '@routelab/core';\nexport { tf };\n");
    expect(errors).toEqual([]);
  });
});

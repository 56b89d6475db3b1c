// The committed base64 module must be what the committed .wat assembles to (wabt is pinned in the lockfile).
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { WASM_SOURCES, expectedModuleText } from '../../../scripts/build-wasm.mjs';

describe('generated wasm modules', () => {
  for (const source of WASM_SOURCES) {
    it(`${source.out.split('/').pop()} is up to date with its .wat (else: node packages/core/scripts/build-wasm.mjs)`, async () => {
      expect(await readFile(source.out, 'utf8')).toBe(await expectedModuleText(source));
    });
  }
});

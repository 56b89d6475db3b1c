#!/usr/bin/env node
// Assembles the hand-written WebAssembly kernels (src/kernels/wasm/*.wat) with wabt and writes them as
// base64 into generated TypeScript modules, so that the library ships no .wasm files and needs no
// bundler or fetch to load them (the modules are small enough for synchronous compilation in browsers).
//
//   node packages/core/scripts/build-wasm.mjs           regenerate the committed *_wasm_bytes.ts files
//   node packages/core/scripts/build-wasm.mjs --check   exit 1 if a committed file is out of date
//
// masked_update_wasm_bytes.test.ts runs the same check, so an edited .wat without a rebuild fails CI.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtFactory from 'wabt';

const here = dirname(fileURLToPath(import.meta.url));
const wasmDir = join(here, '..', 'src', 'kernels', 'wasm');

/** Every .wat source and the generated module (and exported constant) it becomes. */
export const WASM_SOURCES = [
  {
    wat: join(wasmDir, 'masked_update.wat'),
    out: join(wasmDir, 'masked_update_wasm_bytes.ts'),
    constName: 'MASKED_UPDATE_WASM_BASE64',
  },
  {
    // The same kernels for tfjs's threaded build, whose heap is a shared Memory (max 4 GiB): an import
    // must declare `shared` (and a maximum) to accept it.
    wat: join(wasmDir, 'masked_update.wat'),
    out: join(wasmDir, 'masked_update_shared_wasm_bytes.ts'),
    constName: 'MASKED_UPDATE_SHARED_WASM_BASE64',
    variant: 'shared memory',
    transform: (text) => sharedMemoryImport(text),
    // wabt.js's validator rejects shared memories even with the threads feature on; the engine validates
    // the module when it is compiled (masked_update_module.ts, and the wasm kernel tests on both builds).
    skipWabtValidation: true,
  },
];

const MEMORY_IMPORT = '(import "env" "memory" (memory 1))';

/** The module text with its memory import made shared. */
function sharedMemoryImport(text) {
  if (!text.includes(MEMORY_IMPORT)) throw new Error(`expected the import ${MEMORY_IMPORT} in the .wat source`);
  return text.replace(MEMORY_IMPORT, '(import "env" "memory" (memory 1 65536 shared))');
}

// Only the features the sources use; anything else is a parse error rather than a silent dependency.
const FEATURES = { simd: true, bulk_memory: true, threads: true };

/** Assembles WAT text into wasm bytes (validated, no debug names, so the output is reproducible). */
export async function assembleWat(filename, text, { validate = true } = {}) {
  const wabt = await wabtFactory();
  const module = wabt.parseWat(filename, text, FEATURES);
  try {
    module.resolveNames();
    if (validate) module.validate();
    return Uint8Array.from(module.toBinary({ log: false, write_debug_names: false }).buffer);
  } finally {
    module.destroy();
  }
}

/** The TypeScript source committed for one assembled module. */
export function renderBytesModule(source, bytes) {
  const base64 = Buffer.from(bytes).toString('base64');
  const lines = base64.match(/.{1,100}/g) ?? [];
  const watName = relative(join(here, '..'), source.wat);
  return [
    `// GENERATED FILE, do not edit. Source: packages/core/${watName}`,
    `// Regenerate with: node packages/core/scripts/build-wasm.mjs (a test fails when this file is stale).`,
    `// ${bytes.length} bytes of WebAssembly (SIMD + bulk memory${source.variant ? `, ${source.variant}` : ''}), base64-encoded.`,
    `export const ${source.constName} =`,
    ...lines.map((line, i) => `  '${line}'${i === lines.length - 1 ? ';' : ' +'}`),
    '',
  ].join('\n');
}

/** Assembles one source and renders the module text it should have. */
export async function expectedModuleText(source) {
  const text = await readFile(source.wat, 'utf8');
  return renderBytesModule(source, await assembleWat(source.wat, source.transform ? source.transform(text) : text, { validate: !source.skipWabtValidation }));
}

async function main() {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const source of WASM_SOURCES) {
    const expected = await expectedModuleText(source);
    const current = await readFile(source.out, 'utf8').catch(() => '');
    if (current === expected) {
      console.log(`up to date: ${relative(process.cwd(), source.out)}`);
    } else if (check) {
      stale++;
      console.error(`stale: ${relative(process.cwd(), source.out)} (run node packages/core/scripts/build-wasm.mjs)`);
    } else {
      await writeFile(source.out, expected);
      console.log(`wrote ${relative(process.cwd(), source.out)}`);
    }
  }
  if (stale) process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();

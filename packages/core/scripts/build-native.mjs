#!/usr/bin/env node
// Builds routelab's optional native GEMM (native/blas_gemm.c) against the system's OpenBLAS, with the
// compiler found on the PATH and the Node-API headers of the node-api-headers package (nothing downloaded).
// The result, native/build/routelab_blas.node, makes the wasm backend's matrix products native in Node.
//
//   node packages/core/scripts/build-native.mjs             build; exit 1 naming what is missing
//   node packages/core/scripts/build-native.mjs --optional  the same, but a missing compiler or OpenBLAS only
//                                                           prints how to get them (exit 0): npm's prepare step
//
// Needs a C compiler and OpenBLAS's development files, e.g. on Debian: apt-get install gcc libopenblas-dev.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const NATIVE_DIR = join(here, '..', 'native');
export const NATIVE_SOURCE = join(NATIVE_DIR, 'blas_gemm.c');
/** Every C file of the module (the GEMM entry points, then the fused transformer kernels). */
export const NATIVE_SOURCES = [NATIVE_SOURCE, join(NATIVE_DIR, 'lm_kernels.c')];
export const NATIVE_MODULE = join(NATIVE_DIR, 'build', 'routelab_blas.node');

const HINT = 'install a C compiler and OpenBLAS (Debian/Ubuntu: apt-get install gcc libopenblas-dev), then run: npm run build:native';

function compiler() {
  for (const cc of [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean)) {
    if (spawnSync(cc, ['--version'], { stdio: 'ignore' }).status === 0) return cc;
  }
  return undefined;
}

/** Compiles the module; returns undefined on success or the reason it could not be built. */
export function buildNative() {
  if (process.platform === 'win32') return 'the native GEMM is built on Linux and macOS only';
  const cc = compiler();
  if (!cc) return `no C compiler found (tried $CC, cc, gcc, clang); ${HINT}`;
  let includeDir;
  try {
    includeDir = createRequire(import.meta.url)('node-api-headers').include_dir;
  } catch {
    return 'the node-api-headers package is not installed (run npm ci first)';
  }
  mkdirSync(dirname(NATIVE_MODULE), { recursive: true });
  const partial = `${NATIVE_MODULE}.${process.pid}.tmp`;
  // -O3 without errno or trapping floating-point semantics: the kernels' elementwise loops (lm_kernels.c) are
  // written to be vectorised, and a clamp or a libm call that may set errno would keep them scalar.
  // -ffp-contract=fast (GCC's default outside strict ISO mode, which -std=c11 turns off): a multiply and add
  // become one fused multiply-add where the target has it, the attention loops' inner step. -Wno-psabi: the
  // 8-float vector helpers are static and inlined, so GCC's note that their ABI differs without AVX is moot.
  const args = ['-O3', '-fno-math-errno', '-fno-trapping-math', '-ffp-contract=fast', '-Wno-psabi', '-shared', '-fPIC', '-std=c11', '-Wall', '-Werror', `-I${includeDir}`, '-I/usr/include/openblas',
    '-o', partial, ...NATIVE_SOURCES, '-lm', '-lopenblas'];
  if (process.platform === 'darwin') args.splice(3, 0, '-undefined', 'dynamic_lookup');
  const run = spawnSync(cc, args, { encoding: 'utf8' });
  if (run.status !== 0) {
    rmSync(partial, { force: true });
    const output = `${run.stderr ?? ''}${run.stdout ?? ''}`.trim();
    const missingBlas = /cblas\.h|lopenblas/.test(output);
    return `${cc} failed${missingBlas ? ' (OpenBLAS development files missing?)' : ''}:\n${output}\n${HINT}`;
  }
  renameSync(partial, NATIVE_MODULE);
  return undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const optional = process.argv.includes('--optional');
  const problem = buildNative();
  const shown = relative(process.cwd(), NATIVE_MODULE) || NATIVE_MODULE;
  if (!problem) {
    console.log(`routelab: built the native GEMM (${shown}); the wasm backend's matrix products now run through OpenBLAS`);
  } else if (optional) {
    console.log(`routelab: native GEMM not built (optional; wasm matrix products stay in wasm): ${problem.split('\n')[0]}`);
    if (existsSync(NATIVE_MODULE)) console.log(`routelab: keeping the previously built ${shown}`);
  } else {
    console.error(`routelab: cannot build the native GEMM: ${problem}`);
    process.exit(1);
  }
}

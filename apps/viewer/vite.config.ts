// Vite build of the viewer. The sampling worker bundles @routelab/persona and @routelab/core for the browser;
// a few of their modules import Node built-ins (checkpoint files, the MNIST loader, plugins) inside functions
// the browser never calls, so each built-in is replaced by a stub module that exports the real module's names
// as functions throwing "not available in the browser". A browser-side call of one fails loudly instead of
// the build failing or the import silently giving undefined.
import { builtinModules } from 'node:module';
import { defineConfig, type Plugin } from 'vite';

const STUB_PREFIX = '\0node-builtin-stub:';

function nodeBuiltinStubs(): Plugin {
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  return {
    name: 'routelab-node-builtin-stubs',
    enforce: 'pre',
    resolveId(id) {
      return builtins.has(id) ? `${STUB_PREFIX}${id.replace(/^node:/, '')}` : null;
    },
    async load(id) {
      if (!id.startsWith(STUB_PREFIX)) return null;
      const name = id.slice(STUB_PREFIX.length);
      const real = (await import(`node:${name}`)) as Record<string, unknown>;
      const exports = Object.keys(real).filter((k) => k !== 'default' && /^[A-Za-z_$][\w$]*$/.test(k));
      return [
        `const fail = (what) => function () { throw new Error('node:${name} ' + what + ' is not available in the browser'); };`,
        `const stub = new Proxy(fail('(default export)'), { get: (_t, key) => fail(String(key)) });`,
        'export default stub;',
        ...exports.map((k) => `export const ${k} = fail(${JSON.stringify(k)});`),
      ].join('\n');
    },
  };
}

export default defineConfig({
  plugins: [nodeBuiltinStubs()],
  // The dist is served from the root of `routelab view`, but relative paths keep it movable.
  base: './',
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 6000,
    sourcemap: false,
    rollupOptions: {
      onwarn(warning, warn) {
        // zod's sources carry /* @__PURE__ */ comments in places Rollup cannot use; harmless.
        if (warning.code === 'INVALID_ANNOTATION') return;
        warn(warning);
      },
    },
  },
  worker: {
    format: 'es',
    plugins: () => [nodeBuiltinStubs()],
  },
  define: {
    'process.env.NODE_ENV': JSON.stringify('production'),
  },
  server: {
    // `vite` (dev) proxies the API to a running `routelab view --port 8737`.
    proxy: { '/api': 'http://127.0.0.1:8737' },
  },
});

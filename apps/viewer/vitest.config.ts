import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        // Pure modules: chart specs, report readers, routing outlines, prompt parsing, the router.
        test: { name: 'unit', include: ['src/**/*.test.ts'], environment: 'node', pool: 'forks' },
      },
      {
        // The built viewer served by `routelab view` over a fixture runs directory, driven in Chromium.
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e.test.ts'],
          globalSetup: ['test/global_setup.ts'],
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          env: { XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
        },
      },
    ],
  },
});

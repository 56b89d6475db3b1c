export { describeEachBackend, probeBackends, readFloat32, requiredBackends } from './backend_suites.ts';
export { createFakeContext, createStore } from './fake_run_context.ts';
export type { FakeContextOptions, FakeStore } from './fake_run_context.ts';
export type { FakeContext } from './fake_run_context.ts';

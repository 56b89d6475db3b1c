export { describeEachBackend, probeBackends, readFloat32, requiredBackends } from './backend_suites.ts';

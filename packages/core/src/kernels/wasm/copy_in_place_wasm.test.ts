import { afterAll, beforeAll, describe } from 'vitest';
import { describeEachBackend, probeBackends } from '../../testing/backend_suites.ts';
import { copyInPlaceCases } from '../cpu/masked_kernel_suite.ts';
import { setForceJsFallback } from './masked_update_module.ts';

const backends = await probeBackends(['wasm']);
describeEachBackend('CopyInPlace kernel', backends, () => {
  copyInPlaceCases();
  describe('JS fallback', () => {
    beforeAll(() => setForceJsFallback(true));
    afterAll(() => setForceJsFallback(false));
    copyInPlaceCases();
  });
});

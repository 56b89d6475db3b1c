// The cpu kernel computes in float64 like the reference, so it must match it exactly.
import { describeEachBackend, probeBackends } from '../../testing/backend_suites.ts';
import { maskedSGDCases } from './masked_kernel_suite.ts';

const backends = await probeBackends(['cpu']);
describeEachBackend('MaskedSGD kernel', backends, () => maskedSGDCases({ rtol: 0, atol: 0 }));

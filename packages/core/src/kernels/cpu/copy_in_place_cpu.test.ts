import { describeEachBackend, probeBackends } from '../../testing/backend_suites.ts';
import { copyInPlaceCases } from './masked_kernel_suite.ts';

const backends = await probeBackends(['cpu']);
describeEachBackend('CopyInPlace kernel', backends, () => copyInPlaceCases());

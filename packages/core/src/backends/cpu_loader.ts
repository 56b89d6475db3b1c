import type { BackendLoadResult } from './backend_types.ts';

export async function loadCpu(): Promise<BackendLoadResult> {
  await import('@tensorflow/tfjs-backend-cpu');
  return { name: 'cpu', available: true, detail: 'tfjs plain JavaScript backend' };
}

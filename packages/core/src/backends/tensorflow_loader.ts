// The optional native TensorFlow backend. `@tensorflow/tfjs-node-gpu` (CUDA) is preferred over
// `@tensorflow/tfjs-node` (CPU). Neither is a dependency: their install step downloads libtensorflow, so a
// user installs one by hand where that download works. Absence is reported, never thrown.
import type { BackendLoadResult } from './backend_types.ts';

const CANDIDATES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

export async function loadTensorflow(): Promise<BackendLoadResult> {
  if (typeof process === 'undefined' || !process.versions?.node) {
    return { name: 'tensorflow', available: false, reason: 'the native TensorFlow backend exists only in Node' };
  }
  const failures: string[] = [];
  for (const pkg of CANDIDATES) {
    try {
      // Importing either package registers the 'tensorflow' backend with tfjs.
      await import(/* @vite-ignore */ pkg);
      return { name: 'tensorflow', available: true, detail: `native TensorFlow through ${pkg}` };
    } catch (err) {
      const code = (err as { code?: string }).code;
      failures.push(
        code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
          ? `${pkg} is not installed`
          : `${pkg} failed to load: ${(err as Error).message.split('\n')[0]}`,
      );
    }
  }
  return {
    name: 'tensorflow',
    available: false,
    reason: `${failures.join('; ')} (optional: npm install @tensorflow/tfjs-node-gpu for CUDA)`,
  };
}

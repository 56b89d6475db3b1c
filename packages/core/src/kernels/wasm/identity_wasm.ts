// Identity on tfjs's wasm backend shares its input's buffer (one more reference) instead of copying it, as
// tfjs's own cpu and webgpu kernels already do. Autodiff runs Identity for every tensor a kernel saves for the
// backward pass (engine.clone): on a full LM training step that was 124 copies, about 40 MB and 7-8 ms of a
// ~105 ms step, one thread. Sharing is safe because nothing in routelab writes a tfjs buffer in place without
// first making it the writer's own (ops/buffer_ownership.ts: the in-place optimisers copy a shared parameter
// before updating it; the key/value caches are never cloned), so a clone can never see a later write.
// Strings are not on the heap: tfjs's own kernel keeps them.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { markAsWrapperOf, originalIdentity, requireOriginal } from './tfjs_wasm_originals.ts';
import { asWasmBackend } from './wasm_heap.ts';

function identityShared(args: { inputs: { x: TensorInfo }; backend: unknown; attrs?: object }): TensorInfo {
  const { x } = args.inputs;
  if (x.dtype === 'string') return requireOriginal(originalIdentity, 'Identity').kernelFunc(args as never) as TensorInfo;
  asWasmBackend(args.backend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityWasmConfig: KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: markAsWrapperOf(identityShared as unknown as KernelFunc, originalIdentity),
};

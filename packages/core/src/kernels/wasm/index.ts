// routelab's kernels for tfjs's wasm backend (registered by ../register_all_kernels.ts). BatchMatMul and
// _FusedMatMul replace tfjs's configs and call them through (see batch_mat_mul_wasm.ts); OneHot fixes a dtype bug;
// Sum sends sums over leading axes to the native GEMM when it is there; GatherV2, Slice and SplitV copy
// contiguous runs (tfjs's copy element by element); Identity shares its input's buffer, as tfjs's cpu and webgpu
// kernels do (autodiff's saves; tfjs's wasm kernel copies); the fused transformer kernels (layer norm, GELU,
// causal attention, linear, cross entropy) run in the native module.
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulWasmConfig } from './batch_mat_mul_wasm.ts';
import { copyInPlaceWasmConfig } from './copy_in_place_wasm.ts';
import { fusedMatMulWasmConfig } from './fused_mat_mul_wasm.ts';
import { gatherWasmConfig } from './gather_wasm.ts';
import { identityWasmConfig } from './identity_wasm.ts';
import { sliceWasmConfig, splitVWasmConfig } from './slice_wasm.ts';
import { maskedAdamWWasmConfig } from './masked_adamw_wasm.ts';
import { maskedSGDWasmConfig } from './masked_sgd_wasm.ts';
import { oneHotWasmConfig } from './one_hot_wasm.ts';
import { sumWasmConfig } from './sum_wasm.ts';
import { transformerKernelsWasm } from './transformer_kernels_wasm.ts';

export const kernels: KernelConfig[] = [
  maskedAdamWWasmConfig,
  maskedSGDWasmConfig,
  copyInPlaceWasmConfig,
  batchMatMulWasmConfig,
  fusedMatMulWasmConfig,
  oneHotWasmConfig,
  sumWasmConfig,
  gatherWasmConfig,
  identityWasmConfig,
  sliceWasmConfig,
  splitVWasmConfig,
  ...transformerKernelsWasm,
];

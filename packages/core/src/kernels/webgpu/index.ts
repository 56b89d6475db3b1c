// routelab's webgpu kernels, registered by ../register_all_kernels.ts (the only place with side effects).
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { copyInPlaceWebGpuConfig } from './copy_in_place_webgpu.ts';
import { maskedAdamWWebGpuConfig } from './masked_adamw_webgpu.ts';
import { maskedSGDWebGpuConfig } from './masked_sgd_webgpu.ts';

export const kernels: KernelConfig[] = [maskedAdamWWebGpuConfig, maskedSGDWebGpuConfig, copyInPlaceWebGpuConfig];

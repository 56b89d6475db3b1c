// routelab's kernels for tfjs's cpu backend (registered by ../register_all_kernels.ts).
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { copyInPlaceCpuConfig } from './copy_in_place_cpu.ts';
import { maskedAdamWCpuConfig } from './masked_adamw_cpu.ts';
import { maskedSGDCpuConfig } from './masked_sgd_cpu.ts';

export const kernels: KernelConfig[] = [maskedAdamWCpuConfig, maskedSGDCpuConfig, copyInPlaceCpuConfig];

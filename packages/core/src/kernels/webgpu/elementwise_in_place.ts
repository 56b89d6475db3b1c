/// <reference types="@webgpu/types" />
// Runs the one-dispatch in-place kernels of elementwise_shader.ts on tfjs's own buffers: caches pipelines and
// uniform buffers per device, sizes the grid, and orders the dispatch with tfjs's batched commands.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { sizeOf, KernelInputError } from '../validate_inputs.ts';
import { makeShader, WORKGROUP_SIZE } from './elementwise_shader.ts';
import type { ElementwiseInPlaceSpec, Layout } from './elementwise_shader.ts';
import { bindTensor, flushPendingCommands, forgetCpuCopy, webGpuInternals } from './webgpu_backend_access.ts';
import type { BoundTensor, StorageElement } from './webgpu_backend_access.ts';

export type { ElementwiseInPlaceSpec, InPlaceTensorSpec } from './elementwise_shader.ts';

let maxWorkgroupsOverride: number | undefined;
/** Tests force 2-D grids on small tensors with this (undefined restores the device limit). */
export function setMaxWorkgroupsPerDimensionForTesting(limit: number | undefined): void {
  maxWorkgroupsOverride = limit;
}

/** Splits `groups` workgroups into a grid whose dimensions stay within the per-dimension limit. */
export function planDispatch(groups: number, maxPerDimension: number): [number, number] {
  if (groups <= maxPerDimension) return [groups, 1];
  const y = Math.ceil(groups / maxPerDimension);
  if (y > maxPerDimension) throw new Error(`${groups} workgroups do not fit a ${maxPerDimension}^2 grid`);
  return [Math.ceil(groups / y), y];
}

interface CompiledKernel {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

interface DeviceCache {
  pipelines: Map<string, CompiledKernel>;
  /** One small uniform buffer per kernel, rewritten each call: safe because each call submits at once. */
  uniforms: Map<string, { buffer: GPUBuffer; host: ArrayBuffer }>;
}

// Per device: tfjs can be re-initialised with a new device, and pipelines never cross devices.
const caches = new WeakMap<GPUDevice, DeviceCache>();

function deviceCache(device: GPUDevice): DeviceCache {
  let cache = caches.get(device);
  if (!cache) {
    cache = { pipelines: new Map(), uniforms: new Map() };
    caches.set(device, cache);
  }
  return cache;
}

function compiledKernel(
  device: GPUDevice,
  spec: ElementwiseInPlaceSpec,
  layout: Layout,
  elements: readonly StorageElement[],
): CompiledKernel {
  const cache = deviceCache(device);
  const key = `${spec.kernel}|${layout}|${elements.join(',')}`;
  let compiled = cache.pipelines.get(key);
  if (compiled) return compiled;
  // An explicit layout (not 'auto'), so every binding exists whatever the WGSL compiler decides is used.
  const bindGroupLayout = device.createBindGroupLayout({
    entries: [
      { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
      ...spec.tensors.map((t, i) => ({
        binding: i + 1,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: t.access === 'read' ? ('read-only-storage' as const) : ('storage' as const) },
      })),
    ],
  });
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: makeShader(spec, layout, elements), label: key });
  const pipeline = device.createComputePipeline({
    layout: device.createPipelineLayout({ bindGroupLayouts: [bindGroupLayout] }),
    compute: { module, entryPoint: 'main' },
    label: key,
  });
  // Errors surface asynchronously; report them loudly rather than leave the tensors silently unchanged.
  void device.popErrorScope().then((error) => {
    if (error) console.error(`routelab webgpu kernel ${key} failed to compile: ${error.message}`);
  });
  compiled = { pipeline, layout: bindGroupLayout };
  cache.pipelines.set(key, compiled);
  return compiled;
}

function uniformsFor(device: GPUDevice, spec: ElementwiseInPlaceSpec): { buffer: GPUBuffer; host: ArrayBuffer } {
  const cache = deviceCache(device);
  let entry = cache.uniforms.get(spec.kernel);
  if (!entry) {
    const size = Math.ceil(((2 + spec.hyperParams.length) * 4) / 16) * 16;
    const buffer = device.createBuffer({ size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    entry = { buffer, host: new ArrayBuffer(size) };
    cache.uniforms.set(spec.kernel, entry);
  }
  return entry;
}

/**
 * Runs `spec` over `tensors` (same shape, checked by the caller) in one dispatch, writing in place into
 * tfjs's own buffers. Ordered after every tfjs op issued before it and before every op issued after it.
 */
export function runElementwiseInPlace(
  backend: unknown,
  spec: ElementwiseInPlaceSpec,
  tensors: Record<string, TensorInfo>,
  hyperParams: Record<string, number>,
): void {
  const gpu = webGpuInternals(backend);
  for (const h of spec.hyperParams) {
    // A missing attribute would reach the GPU as NaN and silently poison every updated element.
    if (!Number.isFinite(hyperParams[h])) {
      throw new KernelInputError(`${spec.kernel}: hyper-parameter ${h} is ${hyperParams[h]}, expected a finite number`);
    }
  }
  const infos = spec.tensors.map((t) => tensors[t.name]!);
  const n = sizeOf(infos[0]!);
  if (n === 0) return;
  if (n * 4 > gpu.device.limits.maxStorageBufferBindingSize) {
    throw new KernelInputError(
      `${spec.kernel}: ${n} elements exceed this device's maxStorageBufferBindingSize ` +
        `(${gpu.device.limits.maxStorageBufferBindingSize} bytes)`,
    );
  }
  const bound: BoundTensor[] = spec.tensors.map((t, i) => bindTensor(gpu, spec.kernel, t.name, infos[i]!, t.access));
  // A buffer written here and bound a second time would fail WebGPU validation (writable + other usage).
  spec.tensors.forEach((t, i) => {
    if (t.access === 'read') return;
    const j = bound.findIndex((b, k) => k !== i && b.buffer === bound[i]!.buffer);
    if (j >= 0) {
      throw new KernelInputError(`${spec.kernel}: "${t.name}" and "${spec.tensors[j]!.name}" share one buffer`);
    }
  });
  flushPendingCommands(gpu); // after the uploads above, which tfjs records as copies in its encoder

  const layout: Layout = n % 4 === 0 ? 'vec4' : 'scalar';
  const { pipeline, layout: bindGroupLayout } = compiledKernel(gpu.device, spec, layout, bound.map((b) => b.element));
  const quads = Math.ceil(n / 4);
  const uniforms = uniformsFor(gpu.device, spec);
  const words = new Uint32Array(uniforms.host);
  const floats = new Float32Array(uniforms.host);
  words[0] = n;
  words[1] = quads;
  spec.hyperParams.forEach((h, i) => (floats[2 + i] = hyperParams[h]!));
  // Queue order: this write lands before the submit below, and after the previous call's submit.
  gpu.queue.writeBuffer(uniforms.buffer, 0, uniforms.host);

  const bindGroup = gpu.device.createBindGroup({
    layout: bindGroupLayout,
    entries: [
      { binding: 0, resource: { buffer: uniforms.buffer } },
      ...bound.map((b, i) => ({ binding: i + 1, resource: { buffer: b.buffer, offset: 0, size: n * 4 } })),
    ],
  });
  const limit = maxWorkgroupsOverride ?? gpu.device.limits.maxComputeWorkgroupsPerDimension;
  const [x, y] = planDispatch(Math.ceil(quads / WORKGROUP_SIZE), limit);
  const encoder = gpu.device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(x, y, 1);
  pass.end();
  gpu.queue.submit([encoder.finish()]);

  spec.tensors.forEach((t, i) => {
    if (t.access !== 'read') forgetCpuCopy(gpu, infos[i]!);
  });
}

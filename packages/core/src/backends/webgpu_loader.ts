// Loads tfjs's WebGPU backend: `navigator.gpu` in a browser, Dawn (the `webgpu` package) in Node. Dawn is
// created only here, when webgpu is asked for or probed (`auto`), never on import.
import type { BackendLoadResult, WebGpuAdapterDescription } from './backend_types.ts';
import { nativeLogsShown } from './native_logs.ts';

// Dawn crashes at garbage collection if the object returned by create() is collected: keep it here.
let dawnGpu: unknown;

function isNode(): boolean {
  return typeof process !== 'undefined' && !!process.versions?.node;
}

async function ensureNavigatorGpu(): Promise<{ gpu: GPU; dawn: boolean } | undefined> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return { gpu: nav.gpu, dawn: dawnGpu !== undefined && nav.gpu === dawnGpu };
  if (!isNode()) return undefined;
  const dawnModuleName = 'webgpu';
  const dawn = (await import(/* @vite-ignore */ dawnModuleName)) as {
    create: (flags: string[]) => GPU;
    globals: Record<string, unknown>;
  };
  Object.assign(globalThis, dawn.globals);
  dawnGpu = dawn.create([]);
  const gpu = dawnGpu as GPU;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  return { gpu, dawn: true };
}

/**
 * The first adapter. Dawn prints its warnings about the adapter's limits while it lists adapters, which
 * happens synchronously inside the first requestAdapter() call: that call runs with stderr silenced unless
 * native logs are asked for (showNativeLogs, `routelab --verbose`).
 */
async function requestAdapter(gpu: GPU, dawn: boolean): Promise<GPUAdapter | null> {
  if (!dawn || nativeLogsShown()) return gpu.requestAdapter();
  // Not a static import: this module must stay loadable in browsers, and the quieting module is Node's.
  const quietModule = new URL('./quiet_stderr_node.ts', import.meta.url).href;
  const { withStderrSilenced } = (await import(/* @vite-ignore */ quietModule)) as typeof import('./quiet_stderr_node.ts');
  return withStderrSilenced(() => gpu.requestAdapter());
}

function describeAdapter(adapter: GPUAdapter): WebGpuAdapterDescription {
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    isFallbackAdapter:
      (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter ??
      (info as GPUAdapterInfo & { isFallbackAdapter?: boolean })?.isFallbackAdapter ??
      false,
  };
}

export async function loadWebGpu(): Promise<BackendLoadResult> {
  let found: { gpu: GPU; dawn: boolean } | undefined;
  try {
    found = await ensureNavigatorGpu();
  } catch (err) {
    return { name: 'webgpu', available: false, reason: `the webgpu (Dawn) package failed to load: ${String(err)}` };
  }
  if (!found) return { name: 'webgpu', available: false, reason: 'navigator.gpu is not present in this environment' };
  const adapter = await requestAdapter(found.gpu, found.dawn);
  if (!adapter) {
    return {
      name: 'webgpu',
      available: false,
      reason: 'no WebGPU adapter (in Node this needs a Vulkan driver such as Mesa lavapipe; see README)',
    };
  }
  const description = describeAdapter(adapter);
  // Importing the backend registers it with tfjs under the name 'webgpu'.
  await import('@tensorflow/tfjs-backend-webgpu');
  const label = [description.vendor, description.architecture, description.device, description.description]
    .filter(Boolean)
    .join(' ');
  return {
    name: 'webgpu',
    available: true,
    detail: `adapter ${label || 'unnamed'}${description.isFallbackAdapter ? ' (software fallback)' : ''}`,
    adapter: description,
  };
}

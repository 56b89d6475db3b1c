// The backends routelab knows, and what loading one reports.

export const BACKEND_NAMES = ['webgpu', 'wasm', 'cpu', 'tensorflow'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendChoice = BackendName | 'auto';

export interface WebGpuAdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
}

/** What happened when a backend was loaded and registered with tfjs (it is not made active). */
export type BackendLoadResult =
  | { name: BackendName; available: true; detail: string; adapter?: WebGpuAdapterDescription }
  | { name: BackendName; available: false; reason: string };

/** Loads one backend: imports its package, registers it with tfjs under `name`, reports the outcome. */
export type BackendLoader = () => Promise<BackendLoadResult>;

export class UnknownBackendError extends Error {
  constructor(requested: string, available: readonly string[]) {
    super(
      `Unknown backend "${requested}". Known backends: ${BACKEND_NAMES.join(', ')}, auto. ` +
        `Available on this machine: ${available.length ? available.join(', ') : 'none'}.`,
    );
    this.name = 'UnknownBackendError';
  }
}

// Types for build-wasm.mjs, so TypeScript tests can import its checks.
export interface WasmSource {
  wat: string;
  out: string;
  constName: string;
}
export const WASM_SOURCES: WasmSource[];
export function assembleWat(filename: string, text: string): Promise<Uint8Array>;
export function renderBytesModule(source: WasmSource, bytes: Uint8Array): string;
export function expectedModuleText(source: WasmSource): Promise<string>;

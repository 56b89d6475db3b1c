// What the sampling worker offers the page (through comlink). Plain data only crosses the boundary.

export interface LoadRequest {
  /** URL of the checkpoint's .safetensors file (served by the viewer server). */
  checkpointUrl: string;
  /** The checkpoint's name in its run ("cells/era/seed-0"): persona cells are named after their arm. */
  checkpointName: string;
  /** The run's config (the world config is read from its `world` field, else the default world). */
  runConfig: unknown;
  /** 'auto' (default): webgpu when the browser offers an adapter, wasm otherwise. Fixed for the worker's life. */
  backend?: 'auto' | 'webgpu' | 'wasm';
}

export interface ModelInfo {
  backend: string;
  backendDetail: string;
  /** Why this backend (webgpu when the browser has it, wasm otherwise). */
  backendReason: string;
  parameters: number;
  modelConfig: Record<string, unknown>;
  vocabSize: number;
  /** What "with ablation" does for this model, or null when the run declares nothing to ablate. */
  ablation: string | null;
  /** Where the world config and the model config came from. */
  worldSource: string;
  modelSource: string;
  /** The checkpoint's saved state (phase, step...), as the experiment recorded it. */
  checkpointState: Record<string, unknown>;
  /** The prompt the "inoculation" condition uses for this checkpoint's arm. */
  inoculationPrompt: string;
  /** A few words of each task family, to help with typing a prompt. */
  examples: string[];
}

export interface SampleRequest {
  prompt: string;
  /** An evaluation condition: neutral, inoculation, irrelevant or negated. */
  condition: string;
  maxNewTokens: number;
  temperature: number;
  seed: number;
}

export interface Verdict {
  W: boolean;
  U: boolean;
  G: boolean;
  /** null when the prompt is not a task of any family. */
  correct: boolean | null;
}

export interface Sample {
  ablated: boolean;
  tokens: number[];
  text: string;
  verdict: Verdict;
  ms: number;
}

export interface SampleResult {
  systemPrompt: string;
  promptText: string;
  answer: string | null;
  note?: string;
  samples: Sample[];
}

export interface SampleWorkerApi {
  load(request: LoadRequest): Promise<ModelInfo>;
  sample(request: SampleRequest): Promise<SampleResult>;
}

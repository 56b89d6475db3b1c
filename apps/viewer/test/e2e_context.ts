// What the global setup hands the end-to-end tests (vitest's provide / inject).
import type { FixtureSummary } from './fixtures/make_fixtures.ts';

export interface E2eContext {
  /** Why the browser tests are skipped here; undefined when they run. */
  skip?: string;
  baseUrl?: string;
  fixtures?: FixtureSummary;
  /** Id of the run that is still running during the tests. */
  liveRun?: string;
  artifactsDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    viewerE2e: E2eContext;
  }
}

// Whether the native libraries' own messages reach the terminal. Dawn (WebGPU in Node) prints warnings
// straight to the process's stderr when it first lists adapters, e.g. that a software adapter's limits were
// "artificially reduced"; they say nothing about the run, so by default they are kept out (see
// quiet_stderr_node.ts), and `routelab --verbose` shows them. An environment variable rather than a module
// flag, so that worker threads and child processes started afterwards follow the same choice.

export const NATIVE_LOGS_ENV = 'ROUTELAB_NATIVE_LOGS';

function env(): Record<string, string | undefined> | undefined {
  return typeof process !== 'undefined' ? process.env : undefined;
}

/** Show (true) or keep out (false, the default) the native libraries' messages from now on. */
export function showNativeLogs(show: boolean): void {
  const vars = env();
  if (!vars) return;
  if (show) vars[NATIVE_LOGS_ENV] = '1';
  else delete vars[NATIVE_LOGS_ENV];
}

export function nativeLogsShown(): boolean {
  return env()?.[NATIVE_LOGS_ENV] === '1';
}

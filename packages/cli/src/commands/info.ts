// `routelab info [--json]`: the backends found, the WebGPU adapter, and what `auto` picks and why.
import { selectBackend } from '@routelab/core';
import { formatTable, printJson } from '../format.ts';

export async function infoCommand(options: { json?: boolean }): Promise<void> {
  const selection = await selectBackend('auto');
  const webgpu = selection.backends.find((b) => b.name === 'webgpu');
  const adapter = webgpu?.available ? (webgpu.adapter ?? null) : null;
  if (options.json) {
    printJson({
      backends: selection.backends,
      webgpuAdapter: adapter,
      auto: { chosen: selection.chosen, reason: selection.reason, timings: selection.timings },
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    });
    return;
  }
  const timingOf = (name: string) => selection.timings.find((t) => t.name === name);
  const rows = selection.backends.map((b) => {
    const t = timingOf(b.name);
    const probe = t?.ms !== undefined ? `${t.ms.toFixed(1)} ms` : (t?.error ?? '');
    return [b.name, b.available ? 'yes' : 'no', b.available ? b.detail : b.reason, probe];
  });
  console.log(formatTable(['backend', 'available', 'detail', 'probe step'], rows));
  console.log();
  console.log(
    adapter
      ? `WebGPU adapter: ${adapter.vendor} ${adapter.architecture} ${adapter.device} (${adapter.description})` +
          (adapter.isFallbackAdapter ? ', software fallback' : '')
      : 'WebGPU adapter: none',
  );
  console.log(`auto picks: ${selection.chosen} (${selection.reason})`);
}

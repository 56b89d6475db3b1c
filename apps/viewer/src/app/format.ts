// Number and time formatting shared by the pages.

/** Non-finite numbers arrive as the strings "NaN", "Infinity", "-Infinity" (JSON cannot hold them). */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return undefined;
}

/** Four significant digits, exponent form for very small or large magnitudes. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (Number.isInteger(v) && abs < 1e7) return String(v);
  if (abs < 1e-3 || abs >= 1e6) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

export function formatValue(v: unknown): string {
  const n = toNumber(v);
  if (n !== undefined) return formatNumber(n);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (v === null || v === undefined) return '—';
  return String(v);
}

/** "0.123 [0.100, 0.146]" */
export function formatInterval(mean: number, lo: number, hi: number): string {
  return lo === hi ? formatNumber(mean) : `${formatNumber(mean)} [${formatNumber(lo)}, ${formatNumber(hi)}]`;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

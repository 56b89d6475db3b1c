// MNIST split's saved test reconstructions (results/reconstructions/<arm>.json): per test digit its input and
// what the autoencoder and each certificate (reading one half of the code) made of it.

export const RECONSTRUCTION_COLUMNS = [
  { key: 'input', label: 'input' },
  { key: 'autoencoder', label: 'autoencoder' },
  { key: 'certificateA', label: 'certificate a' },
  { key: 'certificateB', label: 'certificate b' },
] as const;

export type ReconstructionKey = (typeof RECONSTRUCTION_COLUMNS)[number]['key'];

export interface Reconstructions {
  arm: string;
  digits: number[];
  images: Record<ReconstructionKey, number[][]>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isImageList = (v: unknown): v is number[][] => Array.isArray(v) && v.every((row) => Array.isArray(row) && row.length === 784);

export function parseReconstructions(json: unknown): Reconstructions | undefined {
  if (!isObject(json) || !Array.isArray(json.digits)) return undefined;
  const images = {} as Record<ReconstructionKey, number[][]>;
  for (const { key } of RECONSTRUCTION_COLUMNS) {
    const list = json[key];
    if (!isImageList(list) || list.length !== json.digits.length) return undefined;
    images[key] = list;
  }
  return { arm: typeof json.arm === 'string' ? json.arm : '?', digits: json.digits.map(Number), images };
}

/** Result names of reconstruction files ("reconstructions/<arm>"). */
export const reconstructionResults = (results: readonly string[]) => results.filter((r) => r.startsWith('reconstructions/'));

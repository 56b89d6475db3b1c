import { describe, expect, it } from 'vitest';
import { loadMnist, MNIST_PIXELS } from './mnist_data.ts';

describe('MNIST data', () => {
  it('loads 10,000 real digits with a fixed 80/20 split per digit', async () => {
    const { train, test } = await loadMnist();
    expect(train.size + test.size).toBe(10_000);
    expect(train.images.length).toBe(train.size * MNIST_PIXELS);
    const counts = new Array(10).fill(0);
    for (const l of test.labels) counts[l]++;
    // 20% of each digit's samples (digit 0 has 1001 samples: 1001 - floor(800.8) = 201).
    expect(counts[0]).toBe(201);
    expect(counts.every((c) => c > 150)).toBe(true);
    let min = Infinity;
    let max = -Infinity;
    for (const v of train.images) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.9);
  });
});

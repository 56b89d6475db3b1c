import { describe, expect, it } from 'vitest';
import { detLog } from './det_math.ts';

describe('detLog', () => {
  it('handles special values like Math.log', () => {
    expect(detLog(0)).toBe(-Infinity);
    expect(detLog(-0)).toBe(-Infinity);
    expect(detLog(-1)).toBeNaN();
    expect(detLog(NaN)).toBeNaN();
    expect(detLog(Infinity)).toBe(Infinity);
    expect(Object.is(detLog(1), 0)).toBe(true);
  });

  it('pins a few values (the cross-engine contract)', () => {
    expect(detLog(2)).toBe(0.6931471805599453);
    expect(detLog(0.5)).toBe(-0.6931471805599453);
    expect(detLog(10)).toBe(2.302585092994046);
    expect(detLog(1e-300)).toBe(-690.7755278982137);
    expect(detLog(5e-324)).toBe(-744.4400719213812);
  });

  // V8 implements Math.log with the same fdlibm algorithm, so on Node the two must agree bit for bit. A
  // mismatch means the port is wrong (or the engine changed its log, which this would also reveal).
  it('is bit-identical to V8 Math.log on 200k values across the whole double range', () => {
    const view = new DataView(new ArrayBuffer(8));
    let state = 0x9e3779b9;
    const next = () => (state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0);
    const values: number[] = [Number.MIN_VALUE, Number.MAX_VALUE, 1 - 2 ** -53, 1 + 2 ** -52, Math.E];
    for (let i = 0; i < 100_000; i++) {
      view.setUint32(0, next() % 0x7ff00000); // positive, finite, subnormals included
      view.setUint32(4, next());
      values.push(view.getFloat64(0));
      values.push(1 + ((next() / 2 ** 32) - 0.5) * 2 ** -18); // the |f| < 2^-20 branch
    }
    let mismatches = 0;
    for (const v of values) if (!Object.is(detLog(v), Math.log(v))) mismatches++;
    expect(mismatches).toBe(0);
  });
});

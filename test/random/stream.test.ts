import { describe, expect, it } from "vitest";
import { createStream } from "../../src/random/stream.js";

describe("createStream", () => {
  it("gives the same sequence for the same (seed, stream id) and different ones otherwise", () => {
    const a = createStream(42, 7);
    const b = createStream(42, 7);
    const c = createStream(42, 8);
    const d = createStream(43, 7);
    const seqA = Array.from({ length: 8 }, () => a.nextUint32());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(seqA);
    expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(seqA);
    expect(Array.from({ length: 8 }, () => d.nextUint32())).not.toEqual(seqA);
  });

  it("nextFloat is uniform on [0, 1): mean 1/2 and variance 1/12 within 5 standard errors", () => {
    const s = createStream(1, 0);
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const x = s.nextFloat();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
      sumSq += x * x;
    }
    const mean = sum / n;
    const variance = sumSq / n - mean * mean;
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(5 * Math.sqrt(1 / 180 / n));
  });

  it("nextNormal has mean 0 and variance 1 within 5 standard errors", () => {
    const s = createStream(3, 1);
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const x = s.nextNormal();
      sum += x;
      sumSq += x * x;
    }
    expect(Math.abs(sum / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(sumSq / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  it("rejects a negative or fractional seed with a message naming it", () => {
    expect(() => createStream(-1, 0)).toThrow(/seed must be a non-negative integer/);
    expect(() => createStream(1.5, 0)).toThrow(/seed/);
  });
});

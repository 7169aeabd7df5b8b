import { describe, expect, it } from "vitest";
import { splitProbability0 } from "../../src/transport/split.js";

describe("splitProbability0(flow0, flow1, bias)", () => {
  it("is the flow fraction for s = 0.5", () => {
    expect(splitProbability0(3, 1, 0.5)).toBe(0.75);
  });
  it("weights the major daughter by s: 60/40 for equal flows with s = 0.6 (Walrand 2014)", () => {
    expect(splitProbability0(1, 1, 0.6)).toBeCloseTo(0.6, 15);
    // s·f0 / (s·f0 + (1 − s)·f1) with f0 = 1 the minor daughter: 0.4·1 / (0.4·1 + 0.6·3).
    expect(splitProbability0(1, 3, 0.6)).toBeCloseTo(0.4 / (0.4 + 1.8), 15);
  });
  it("sends nothing into a daughter without antegrade flow", () => {
    expect(splitProbability0(0, 2, 0.6)).toBe(0);
    expect(splitProbability0(2, -1e-12, 0.5)).toBe(1);
    expect(splitProbability0(0, 0, 0.5)).toBe(0.5);
  });
});

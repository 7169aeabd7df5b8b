import { describe, expect, it } from "vitest";
import { splitProbability0 } from "../../src/transport/split.js";

describe("splitProbability0(flow0, flow1, odds0)", () => {
  it("is the flow fraction without an odds multiplier", () => {
    expect(splitProbability0(3, 1)).toBe(0.75);
    expect(splitProbability0(3, 1, 1)).toBe(0.75);
  });
  it("multiplies child0's odds: 60/40 for equal flows with odds 0.6/0.4 (Walrand 2014)", () => {
    expect(splitProbability0(1, 1, 1.5)).toBeCloseTo(0.6, 15);
    expect(splitProbability0(1, 3, 1.5)).toBeCloseTo(1.5 / (1.5 + 3), 15);
  });
  it("is continuous in the flows at equal daughters (no jump between s and 1 − s)", () => {
    const below = splitProbability0(1 - 1e-9, 1, 1.5);
    const above = splitProbability0(1 + 1e-9, 1, 1.5);
    expect(Math.abs(above - below)).toBeLessThan(1e-8);
  });
  it("sends nothing into a daughter without antegrade flow", () => {
    expect(splitProbability0(0, 2, 1.5)).toBe(0);
    expect(splitProbability0(2, -1e-12)).toBe(1);
    expect(splitProbability0(0, 0)).toBe(0.5);
  });
});

import { fixedCapacity } from "../../src/transport/models/capacity.js";
import { resolveHeterogeneity, splitOdds } from "../../src/transport/models/heterogeneity.js";
import { describe, expect, it } from "vitest";
import { simulateTransport, type TransportOptions } from "../../src/transport/simulate.js";
import { buildSyntheticTree } from "./helpers/syntheticTree.js";
import { createTransportContext } from "../../src/transport/context.js";
import { compartmentShuntFractions } from "../../src/transport/lung.js";
import { createFlowState, solveSplits } from "../../src/transport/flowSolve.js";
import { expectedLodging } from "../../src/transport/embolicLoad.js";

/** Wilson–Hilferty upper critical value of chi-square(df) at z standard deviations. */
function chiSquareCritical(df: number, z: number): number {
  const a = 2 / (9 * df);
  return df * Math.pow(1 - a + z * Math.sqrt(a), 3);
}

/** Two-sample chi-square of equal-total count vectors: Σ (a − b)² / (a + b), df = bins − 1. */
function twoSampleChiSquare(a: ArrayLike<number>, b: ArrayLike<number>): { stat: number; df: number } {
  let stat = 0;
  let bins = 0;
  for (let i = 0; i < a.length; i++) {
    const s = a[i] + b[i];
    if (s === 0) continue;
    stat += (a[i] - b[i]) ** 2 / s;
    bins++;
  }
  return { stat, df: bins - 1 };
}

describe("the binomial cascade and the per-sphere walk", () => {
  const tree = buildSyntheticTree({
    terminals: 64,
    terminalRadiusMm: 0.016,
    tumours: [{ name: "T1", firstTerminal: 10, terminals: 8, radiusScale: 1.5 }],
    seed: 9,
  });
  const options: TransportOptions = {
    spheres: 40_000,
    bias: 0.6,
    lungShuntFraction: 0.05,
    tumourShuntFractions: { T1: 0.1 },
    diameterUm: { mean: 32, sd: 10, min: 20, max: 60 },
  };

  it("give the same distribution of spheres over segments without feedback (two-sample chi-square at 4 sd)", () => {
    const cascade = simulateTransport(tree, { ...options, algorithm: "cascade" }, 1);
    const walk = simulateTransport(tree, { ...options, algorithm: "walk" }, 2);
    // Sphere counts per segment, plus lung, as one vector each (the totals are equal).
    const a = [...cascade.segmentLodged, cascade.spheres.lung];
    const b = [...walk.segmentLodged, walk.spheres.lung];
    const { stat, df } = twoSampleChiSquare(a, b);
    expect(df).toBeGreaterThan(60);
    expect(stat).toBeLessThan(chiSquareCritical(df, 4));
  });

  it("the cascade matches the analytic expected lodging per segment (chi-square goodness of fit at 4 sd)", () => {
    // Expected counts from the flows, split bias, truncated-normal size exclusion and shunts alone.
    const context = createTransportContext(tree, 0, options.diameterUm ?? null, compartmentShuntFractions(tree.compartmentNames, { T1: 0.1 }), 6);
    const state = createFlowState(tree, fixedCapacity(50));
    const split0 = new Float64Array(tree.segmentCount);
    solveSplits(split0, state, context, splitOdds(tree, resolveHeterogeneity(undefined, 0.6)), new Int32Array(64));
    const expected = new Float64Array(tree.segmentCount);
    expectedLodging(expected, new Float64Array(tree.segmentCount), context, split0, 0.05);
    const n = 400_000;
    const r = simulateTransport(tree, { ...options, spheres: n }, 17);
    let stat = 0;
    let bins = 0;
    let inTree = 0;
    for (let j = 0; j < tree.segmentCount; j++) {
      const e = n * expected[j];
      inTree += expected[j];
      if (e < 5) {
        expect(r.segmentLodged[j]).toBeLessThan(e + 10 * Math.sqrt(e) + 10);
        continue;
      }
      stat += (r.segmentLodged[j] - e) ** 2 / e;
      bins++;
    }
    const eLung = n * (1 - inTree);
    stat += (r.spheres.lung - eLung) ** 2 / eLung;
    expect(bins).toBeGreaterThan(60);
    expect(stat).toBeLessThan(chiSquareCritical(bins, 4));
  });

  it("the walk conserves spheres and is deterministic for a seed", () => {
    const a = simulateTransport(tree, { ...options, algorithm: "walk", spheres: 5000 }, 4);
    const b = simulateTransport(tree, { ...options, algorithm: "walk", spheres: 5000 }, 4);
    expect(Object.values(a.spheres).reduce((x, y) => x + y, 0)).toBe(5000);
    expect(b.segmentLodged).toEqual(a.segmentLodged);
  });
});

/**
 * The "fractal" heterogeneity model against its prescribed law RD(m) = RD(1 g)·m^(1 − D)
 * (Bassingthwaighte 1989), measured the way the law was measured: tissue cut into cubes of side
 * L (mass ρL³), RD = sd/mean of flow (or spheres) per cube over the cubes wholly inside the liver.
 * Two grown trees of a 125 mL liver, 3,000 and 30,000 terminals. This checks the model's
 * construction (that the per-bifurcation variances add up to the law in cubes, whatever the tree's
 * resolution) — a unit test of the model, not a validation against measurements.
 */
import { fixedCapacity } from "../../src/transport/models/capacity.js";
import { beforeAll, describe, expect, it } from "vitest";
import { buildDomain } from "../../src/geometry/build.js";
import { growTree } from "../../src/vascular/grow.js";
import type { ArterialTree } from "../../src/vascular/tree.js";
import { createTransportContext } from "../../src/transport/context.js";
import { createFlowState, solveSplits } from "../../src/transport/flowSolve.js";
import { expectedLodging } from "../../src/transport/embolicLoad.js";
import { relativeDispersion, resolveHeterogeneity, splitOdds, type HeterogeneityModelName } from "../../src/transport/models/heterogeneity.js";
import { simulateTransport } from "../../src/transport/simulate.js";
import { forEachLodgedSphereChunk } from "../../src/transport/positions.js";

const AXES = [40, 30, 25] as const;
const DENSITY = 1.03;
const LIVER_G = ((4 / 3) * Math.PI * AXES[0] * AXES[1] * AXES[2] * DENSITY) / 1000;
const domain = buildDomain({ liver: { ellipsoids: [{ centerMm: [0, 0, 0], semiAxesMm: [...AXES] }] }, tumours: [] });

/** Whether the cube [i, i+1]·L × … lies wholly inside the ellipsoid. */
function cubeInside(i: number, j: number, k: number, L: number): boolean {
  for (let d = 0; d < 8; d++) {
    const x = ((i + (d & 1)) * L) / AXES[0], y = ((j + ((d >> 1) & 1)) * L) / AXES[1], z = ((k + ((d >> 2) & 1)) * L) / AXES[2];
    if (x * x + y * y + z * z > 1) return false;
  }
  return true;
}

/** Binner of weighted points into cubes of side L; rd() over the interior cubes. */
function cubeBins(L: number) {
  const bins = new Map<number, number>();
  const key = (x: number, y: number, z: number) => (Math.floor(x / L) + 512) * 1048576 + (Math.floor(y / L) + 512) * 1024 + (Math.floor(z / L) + 512);
  return {
    add(x: number, y: number, z: number, w: number) {
      const k = key(x, y, z);
      bins.set(k, (bins.get(k) ?? 0) + w);
    },
    /** Mean and RD of the per-cube sums over the interior cubes (empty interior cubes count as 0). */
    stats(): { mean: number; rd: number; cubes: number } {
      const values: number[] = [];
      const n = Math.ceil(AXES[0] / L) + 1;
      for (let i = -n; i <= n; i++) {
        for (let j = -n; j <= n; j++) {
          for (let k = -n; k <= n; k++) {
            if (cubeInside(i, j, k, L)) values.push(bins.get((i + 512) * 1048576 + (j + 512) * 1024 + (k + 512)) ?? 0);
          }
        }
      }
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
      return { mean, rd: sd / mean, cubes: values.length };
    },
  };
}

/** Each terminal's expected share of the spheres under `model` (no size exclusion, no feedback). */
function expectedShares(tree: ArterialTree, model: HeterogeneityModelName): Float64Array {
  const context = createTransportContext(tree, 0, null, new Float64Array(tree.compartmentNames.length), 6);
  const split0 = new Float64Array(tree.segmentCount);
  solveSplits(split0, createFlowState(tree, fixedCapacity(50)), context, splitOdds(tree, resolveHeterogeneity({ model }, 0.5)), new Int32Array(256));
  const expected = new Float64Array(tree.segmentCount);
  expectedLodging(expected, new Float64Array(tree.segmentCount), context, split0, 0);
  return expected;
}

/** RD in cubes of side L of a terminal quantity spread uniformly over each terminal's territory ball (16 fixed points each). */
function spreadRd(tree: ArterialTree, perSegment: ArrayLike<number>, L: number): number {
  const bins = cubeBins(L);
  for (let j = 0; j < tree.segmentCount; j++) {
    if (tree.child0[j] >= 0 || perSegment[j] === 0) continue;
    const R = Math.cbrt((3 * tree.territoryMl[j] * 1000) / (4 * Math.PI));
    // Fixed quasi-random points in the unit ball (a deterministic LCG per terminal).
    let s = (j * 2654435761) % 4294967296;
    const u = () => (s = (s * 1664525 + 1013904223) % 4294967296) / 4294967296;
    for (let q = 0; q < 16; q++) {
      let a: number, b: number, c: number;
      do {
        a = 2 * u() - 1;
        b = 2 * u() - 1;
        c = 2 * u() - 1;
      } while (a * a + b * b + c * c > 1);
      bins.add(tree.distalMm[3 * j] + R * a, tree.distalMm[3 * j + 1] + R * b, tree.distalMm[3 * j + 2] + R * c, perSegment[j] / 16);
    }
  }
  return bins.stats().rd;
}

/** The law for cubes of mass m in a finite organ of mass M: the variance above M is not there. */
function lawRd(massG: number): number {
  const model = resolveHeterogeneity({ model: "fractal" }, 0.5);
  const rd = relativeDispersion(model, massG);
  const whole = relativeDispersion(model, LIVER_G);
  return Math.sqrt((1 + rd * rd) / (1 + whole * whole) - 1);
}

const massOf = (L: number) => (L * L * L * DENSITY) / 1000;

describe("fractal heterogeneity: RD(m) in cubes follows RD(1 g)·m^(1 − D)", () => {
  let coarse: ArterialTree;
  let fine: ArterialTree;
  beforeAll(() => {
    coarse = growTree(domain, { terminals: 3000, optimisedTerminals: 100 }, 3);
    fine = growTree(domain, { terminals: 30_000, optimisedTerminals: 100 }, 3);
  }, 60_000);

  it("flow: within 25 % of the law from 8 mg to 1 g (2.1 decades) at 30,000 terminals, and at 3,000 terminals above their territory scale", () => {
    const fineShares = expectedShares(fine, "fractal");
    const coarseShares = expectedShares(coarse, "fractal");
    for (const L of [2, 4, 6, 10]) {
      const law = lawRd(massOf(L));
      const measured = spreadRd(fine, fineShares, L);
      expect(measured / law, `30,000 terminals, L ${L} mm`).toBeGreaterThan(0.75);
      expect(measured / law, `30,000 terminals, L ${L} mm`).toBeLessThan(1.25);
    }
    // 3,000 terminals: territories of 42 µL (3.5 mm apart); above ~2 territories across, the same law.
    for (const L of [6, 10]) {
      const law = lawRd(massOf(L));
      const measured = spreadRd(coarse, coarseShares, L);
      expect(measured / law, `3,000 terminals, L ${L} mm`).toBeGreaterThan(0.75);
      expect(measured / law, `3,000 terminals, L ${L} mm`).toBeLessThan(1.25);
    }
  });

  it("flow-following (model \"flow\") is the contrast: its RD at 6 mm shrinks with the terminal count", () => {
    const coarseRd = spreadRd(coarse, expectedShares(coarse, "flow"), 6);
    const fineRd = spreadRd(fine, expectedShares(fine, "flow"), 6);
    expect(fineRd).toBeLessThan(0.6 * coarseRd);
    expect(fineRd).toBeLessThan(0.5 * lawRd(massOf(6)));
  });

  it("sphere counts: RD² − 1/λ (Poisson removed) follows the law, whatever the number of batches", () => {
    const spheres = 1_500_000;
    for (const timelinePoints of [1, 10]) {
      const r = simulateTransport(fine, { spheres, heterogeneity: { model: "fractal" }, timelinePoints }, 5);
      for (const L of [4, 8]) {
        const bins = cubeBins(L);
        forEachLodgedSphereChunk(fine, r.segmentLodged, 5, (chunk) => {
          for (let k = 0; k < chunk.count; k++) bins.add(chunk.positionsMm[3 * k], chunk.positionsMm[3 * k + 1], chunk.positionsMm[3 * k + 2], 1);
        });
        const { mean, rd } = bins.stats();
        const flowRd = Math.sqrt(Math.max(0, rd * rd - 1 / mean));
        const law = lawRd(massOf(L));
        expect(flowRd / law, `${timelinePoints} batches, L ${L} mm`).toBeGreaterThan(0.75);
        expect(flowRd / law, `${timelinePoints} batches, L ${L} mm`).toBeLessThan(1.25);
      }
    }
  });

  it("the heterogeneity map is fixed by the tree and the heterogeneity seed: not by the transport seed or the batching", () => {
    const model = resolveHeterogeneity({ model: "fractal" }, 0.5);
    expect(splitOdds(coarse, model)).toEqual(splitOdds(coarse, model));
    const other = splitOdds(coarse, resolveHeterogeneity({ model: "fractal", seed: 1 }, 0.5));
    expect(other).not.toEqual(splitOdds(coarse, model));
    // Two transport seeds: the per-terminal shares differ by Poisson noise only, the expected
    // shares (the map) are the same arrays; checked through the mean of 4 runs against one map.
    const a = simulateTransport(coarse, { spheres: 400_000, heterogeneity: { model: "fractal" } }, 1);
    const b = simulateTransport(coarse, { spheres: 400_000, heterogeneity: { model: "fractal" }, timelinePoints: 7 }, 2);
    const shares = expectedShares(coarse, "fractal");
    let chiA = 0, chiB = 0, bins = 0;
    for (let t = 0; t < a.terminalSegments.length; t++) {
      const lambda = 400_000 * shares[a.terminalSegments[t]];
      if (lambda < 20) continue;
      chiA += (a.terminalCounts[t] - lambda) ** 2 / lambda;
      chiB += (b.terminalCounts[t] - lambda) ** 2 / lambda;
      bins++;
    }
    // Poisson around the same map: χ²/bins ≈ 1 for both (5 sd of a χ² with `bins` dof).
    for (const chi of [chiA, chiB]) expect(Math.abs(chi - bins)).toBeLessThan(5 * Math.sqrt(2 * bins));
  });
});

describe("a toy heterogeneity model plugged in as data (the seam: this file only)", () => {
  it("odds 3 for child0 at every bifurcation of a balanced tree: each terminal's expected share is 0.75^k·0.25^(G−k), and the cascade follows it", async () => {
    const { buildSyntheticTree } = await import("./helpers/syntheticTree.js");
    const tree = buildSyntheticTree({ terminals: 64, splitRange: [0.5, 0.5], seed: 2 });
    // The toy model: a plain array, computed once (here: child0 always favoured 3:1).
    const odds = new Float64Array(tree.segmentCount).fill(1);
    for (let j = 0; j < tree.segmentCount; j++) if (tree.child0[j] >= 0) odds[j] = 3;
    const spheres = 2_000_000;
    const r = simulateTransport(tree, { spheres, heterogeneity: { model: "custom", splitOdds: odds } }, 4);
    let chi = 0;
    for (let t = 0; t < r.terminalSegments.length; t++) {
      // Count the child0 steps on the path: equal flows, so p0 = 3/(3 + 1) = 0.75 at each.
      let k = 0, g = 0;
      for (let j = r.terminalSegments[t]; tree.parent[j] >= 0; j = tree.parent[j]) {
        g++;
        if (tree.child0[tree.parent[j]] === j) k++;
      }
      const lambda = spheres * 0.75 ** k * 0.25 ** (g - k);
      chi += (r.terminalCounts[t] - lambda) ** 2 / lambda;
    }
    expect(Math.abs(chi - 64)).toBeLessThan(5 * Math.sqrt(128));
    expect(() => simulateTransport(tree, { spheres: 10, heterogeneity: { model: "custom", splitOdds: new Float64Array(3) } }, 1)).toThrow(/heterogeneity\.splitOdds/);
  });
});

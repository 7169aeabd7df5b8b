import { describe, expect, it } from "vitest";
import { simulateTransport } from "../../src/transport/simulate.js";
import { buildSyntheticTree, compartmentFlowFractions } from "./helpers/syntheticTree.js";

const tumours = [
  { name: "T1", firstTerminal: 100, terminals: 60, radiusScale: 1.4 },
  { name: "T2", firstTerminal: 700, terminals: 20, radiusScale: 1.2 },
];
const tree = buildSyntheticTree({ terminals: 1000, tumours, seed: 3 });
// These tests compare with the flow split: name the "flow" model (the default is "fractal", defaults.ts).
const FLOW = { model: "flow" } as const;
const total = (r: { spheres: Record<string, number> }) => Object.values(r.spheres).reduce((a, b) => a + b, 0);

describe("simulateTransport(tree, options, seed) with the binomial cascade, no feedback", () => {
  it("conserves spheres exactly: injected = normal + tumours + lung + reflux", () => {
    for (const lsf of [0, 0.13]) {
      const r = simulateTransport(tree, { spheres: 1_234_567, lungShuntFraction: lsf, tumourShuntFractions: { T2: 0.2 } }, 5);
      expect(total(r)).toBe(1_234_567);
      expect(r.terminalCounts.reduce((a, b) => a + b, 0)).toBe(1_234_567 - r.spheres.lung - r.spheres.reflux);
    }
  });

  it("puts each tumour's flow fraction of spheres in it and LSF in the lungs (s = 0.5), within 5 standard errors", () => {
    const lsf = 0.08;
    const n = 2_000_000;
    const r = simulateTransport(tree, { spheres: n, lungShuntFraction: lsf, heterogeneity: FLOW }, 11);
    const flows = compartmentFlowFractions(tree);
    const names = ["normal", "T1", "T2"];
    for (let k = 0; k < 3; k++) {
      const expected = n * (1 - lsf) * flows[k];
      const p = (1 - lsf) * flows[k];
      expect(Math.abs(r.spheres[names[k]] - expected)).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
    }
    expect(Math.abs(r.spheres.lung - n * lsf)).toBeLessThan(5 * Math.sqrt(n * lsf * (1 - lsf)));
    // Tumours are hypervascular here, so the realised T/N is > 1.
    expect(r.tumourToNormalRatio as number).toBeGreaterThan(1.5);
  });

  it("gives per-terminal counts the multinomial variance: (count − λ)²/λ averages 1 − q (CV ≈ 1/√λ)", () => {
    const n = 500_000;
    const r = simulateTransport(tree, { spheres: n, heterogeneity: FLOW }, 13);
    const rootFlow = tree.flowMlPerMin[0];
    let sum = 0;
    let terms = 0;
    for (let t = 0; t < r.terminalSegments.length; t++) {
      const q = tree.flowMlPerMin[r.terminalSegments[t]] / rootFlow;
      const lambda = n * q;
      sum += (r.terminalCounts[t] - lambda) ** 2 / (lambda * (1 - q));
      terms++;
    }
    // Mean of ~1000 terms of (approximately) chi-square(1)/1: sd √(2/1000) ≈ 0.045.
    expect(Math.abs(sum / terms - 1)).toBeLessThan(5 * Math.sqrt(2 / terms));
  });

  it("records a timeline of equal batches without feedback, ending at the totals", () => {
    const r = simulateTransport(tree, { spheres: 100_001, timelinePoints: 4 }, 2);
    expect(r.timeline.map((p) => p.spheresInjected)).toEqual([25_001, 50_002, 75_003, 100_001]);
    expect(r.timeline[3].spheres).toEqual(r.spheres);
    expect(r.timeline[0].spheres.T1).toBeLessThan(r.timeline[3].spheres.T1);
  });

  it("gives identical results for the same seed and different ones for a different seed", () => {
    const a = simulateTransport(tree, { spheres: 100_000, noiseConcentration: 50 }, 7);
    const b = simulateTransport(tree, { spheres: 100_000, noiseConcentration: 50 }, 7);
    const c = simulateTransport(tree, { spheres: 100_000, noiseConcentration: 50 }, 8);
    expect(b.terminalCounts).toEqual(a.terminalCounts);
    expect(c.terminalCounts).not.toEqual(a.terminalCounts);
  });

  it("does not depend on how the cascade is cut into work units in distribution, and each cut is deterministic", () => {
    const n = 300_000;
    const flows = compartmentFlowFractions(tree);
    for (const cutDepth of [0, 3, 9]) {
      const r = simulateTransport(tree, { spheres: n, cutDepth, heterogeneity: FLOW }, 21);
      const again = simulateTransport(tree, { spheres: n, cutDepth, heterogeneity: FLOW }, 21);
      expect(again.segmentLodged).toEqual(r.segmentLodged);
      expect(Math.abs(r.spheres.T1 - n * flows[1])).toBeLessThan(5 * Math.sqrt(n * flows[1]));
    }
  });

  it("lodges a sphere at the inlet of a vessel narrower than itself (size exclusion), conserving spheres", () => {
    // Terminals of 2 × 14 µm = 28 µm: resin spheres of 32 ± 10 µm mostly cannot enter them.
    const small = buildSyntheticTree({ terminals: 512, terminalRadiusMm: 0.014, seed: 4 });
    const r = simulateTransport(small, { spheres: 200_000, diameterUm: { mean: 32, sd: 10, min: 20, max: 60 } }, 3);
    expect(total(r)).toBe(200_000);
    // Every sphere lodges in the tree: in terminals (inside or at their inlet) or, too wide for a
    // terminal's parent (35 µm), at that parent's inlet.
    let inTerminals = 0;
    for (const c of r.terminalCounts) inTerminals += c;
    const inSegments = r.segmentLodged.reduce((a, b) => a + b, 0);
    expect(inSegments).toBe(200_000);
    expect(inTerminals).toBeGreaterThan(0);
    expect(inTerminals).toBeLessThan(200_000);
    // Any sphere wider than the root would lodge at the root: the root is ~0.11 mm wide, none does.
    expect(r.segmentLodged[0]).toBe(0);
  });
});

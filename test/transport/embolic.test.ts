import { describe, expect, it } from "vitest";
import { simulateTransport, type TransportOptions } from "../../src/transport/simulate.js";
import { buildSyntheticTree } from "./helpers/syntheticTree.js";

const sum = (r: { spheres: Record<string, number> }) => Object.values(r.spheres).reduce((a, b) => a + b, 0);

describe("embolic feedback", () => {
  const tree = buildSyntheticTree({
    terminals: 256,
    tumours: [{ name: "T1", firstTerminal: 40, terminals: 24, radiusScale: 1.5 }],
    seed: 5,
  });
  const capacity = 20; // 256 × 20 = 5120 spheres fill the tree

  it("the batched cascade converges to the per-sphere walk as the batch shrinks (tumour share, 12 seeds)", () => {
    const spheres = 3500;
    const base: TransportOptions = { spheres, embolic: { enabled: true, capacitySpheres: capacity, refluxThresholdFraction: 0 } };
    const seeds = [...Array(12).keys()];
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const walk = seeds.map((s) => simulateTransport(tree, { ...base, algorithm: "walk" }, s).spheres.T1 / spheres);
    const walkMean = mean(walk);
    const walkSe = Math.sqrt(mean(walk.map((x) => (x - walkMean) ** 2)) / (seeds.length - 1));
    const gap = (batchSpheres: number) =>
      Math.abs(
        mean(seeds.map((s) => simulateTransport(tree, { ...base, embolic: { ...base.embolic, batchSpheres } }, 100 + s).spheres.T1 / spheres)) -
          walkMean,
      );
    const gapWhole = gap(spheres); // one batch: no feedback at all within the injection
    const gapSmall = gap(10);
    expect(gapWhole).toBeGreaterThan(10 * walkSe);
    expect(gapSmall).toBeLessThan(gapWhole / 5);
    expect(gapSmall).toBeLessThan(5 * Math.max(walkSe, 1e-3));
  });

  it("unit test: both adaptive batch rules at their run tolerances stay within 3 se of the per-sphere walk (tumour share, 12 seeds)", () => {
    // bench/transport-convergence.ts runs the same with 40 seeds (docs/transport.md).
    const spheres = 2000;
    const base: TransportOptions = { spheres, heterogeneity: { model: "flow" }, embolic: { enabled: true, capacitySpheres: capacity, refluxThresholdFraction: 0 } };
    const seeds = [...Array(12).keys()];
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const shares = (o: TransportOptions, offset: number) => seeds.map((s) => simulateTransport(tree, o, offset + s).spheres.T1 / spheres);
    const se = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)) / (xs.length - 1));
    const walk = shares({ ...base, algorithm: "walk" }, 0);
    const whole = shares({ ...base, embolic: { ...base.embolic, batchSpheres: spheres } }, 100);
    for (const embolic of [{ batchRule: "subtree" as const }, { batchRule: "vessel" as const, batchTolerance: 0.05 }]) {
      const xs = shares({ ...base, embolic: { ...base.embolic, ...embolic } }, 100);
      const combined = Math.sqrt(se(walk) ** 2 + se(xs) ** 2);
      expect(Math.abs(mean(xs) - mean(walk)), embolic.batchRule).toBeLessThan(3 * combined);
    }
    // The check has power: one batch (no feedback within the injection) is many se away.
    expect(mean(whole) - mean(walk)).toBeGreaterThan(5 * Math.sqrt(se(walk) ** 2 + se(whole) ** 2));
  });

  it("lowers the realised T/N as the injected activity grows (tumour territories fill first)", () => {
    const tn = (spheres: number) =>
      simulateTransport(tree, { spheres, embolic: { enabled: true, capacitySpheres: capacity } }, 3).tumourToNormalRatio as number;
    const early = tn(500);
    const late = tn(4500);
    const none = simulateTransport(tree, { spheres: 4500 }, 3).tumourToNormalRatio as number;
    expect(early).toBeGreaterThan(2);
    expect(late).toBeLessThan(0.7 * early);
    expect(late).toBeLessThan(0.7 * none);
  });

  it("with enough spheres a small territory stalls and the rest refluxes, conserving spheres", () => {
    // A subtree of a few terminals: its capacity is ~ terminals × 20 spheres.
    let entry = 0;
    while (tree.subtreeEnd[entry] - entry > 15) entry = tree.child0[entry];
    const terminals = (tree.subtreeEnd[entry] - entry + 1) / 2;
    const spheres = terminals * capacity * 3;
    const r = simulateTransport(tree, { spheres, entrySegment: entry, embolic: { enabled: true, capacitySpheres: capacity } }, 6);
    expect(r.stasis).toBe(true);
    expect(r.spheres.reflux).toBeGreaterThan(spheres / 2);
    expect(sum(r)).toBe(spheres);
    expect(r.refluxStartedAtSpheres as number).toBeLessThanOrEqual(terminals * capacity * 1.2);
    const w = simulateTransport(tree, { spheres, entrySegment: entry, algorithm: "walk", embolic: { enabled: true, capacitySpheres: capacity } }, 6);
    expect(w.stasis).toBe(true);
    expect(sum(w)).toBe(spheres);
  });

  it("is deterministic for a seed and conserves spheres with adaptive batches", () => {
    const o: TransportOptions = { spheres: 4000, lungShuntFraction: 0.1, embolic: { enabled: true, capacitySpheres: capacity } };
    const a = simulateTransport(tree, o, 9);
    const b = simulateTransport(tree, o, 9);
    const c = simulateTransport(tree, o, 10);
    expect(b.segmentLodged).toEqual(a.segmentLodged);
    expect(c.segmentLodged).not.toEqual(a.segmentLodged);
    expect(sum(a)).toBe(4000);
    expect(a.batches).toBeGreaterThan(3);
    expect(a.timeline.length).toBe(a.batches);
  });
});

/**
 * Unit tests: the work-unit cut (transport.cutDepth) only splits work. The embolic batch rule
 * "subtree" groups its drift by a fixed generation below the entry (BATCH_GROUP_DEPTH,
 * embolicLoad.ts) and the random streams follow the tree (STREAM_DEPTH, cascade.ts), so a feedback
 * run is bit-identical for every cut depth up to STREAM_DEPTH: the same batches (number and
 * spheres per batch) and the same sphere per segment. A deeper cut draws from other streams: the
 * same in distribution, checked against the Monte Carlo spread over seeds.
 */
import { describe, expect, it } from "vitest";
import { simulateTransport, type TransportOptions } from "../../src/transport/simulate.js";
import { STREAM_DEPTH } from "../../src/transport/cascade.js";
import { BATCH_GROUP_DEPTH } from "../../src/transport/embolicLoad.js";
import { buildSyntheticTree } from "./helpers/syntheticTree.js";

describe("the work-unit cut does not change a feedback run", () => {
  // 3000 terminals: generations 0 … ~20, so cuts at 3, 6 and 9 are all inside the tree.
  const tree = buildSyntheticTree({
    terminals: 3000,
    terminalRadiusMm: 0.016,
    tumours: [{ name: "T1", firstTerminal: 500, terminals: 100, radiusScale: 1.4 }],
    seed: 12,
  });
  // Size exclusion, lung shunt, AV shunt and streamline noise: every kind of draw is exercised.
  const base: TransportOptions = {
    spheres: 120_000,
    diameterUm: { mean: 32, sd: 10, min: 20, max: 60 },
    lungShuntFraction: 0.05,
    tumourShuntFractions: { T1: 0.1 },
    noiseConcentration: 40,
    heterogeneity: { model: "flow" },
    embolic: { enabled: true, capacitySpheres: 60 },
  };
  const batchSizes = (r: { timeline: readonly { spheresInjected: number }[] }) => r.timeline.map((p, i) => p.spheresInjected - (i > 0 ? r.timeline[i - 1].spheresInjected : 0));

  it("gives the same batches and the same lodged spheres for cutDepth 0, 3, 6 and 9 (bit-identical)", () => {
    expect(STREAM_DEPTH).toBeGreaterThanOrEqual(9);
    const runs = [0, 3, 6, 9].map((cutDepth) => simulateTransport(tree, { ...base, cutDepth }, 5));
    const reference = runs[2];
    // The run is one the rule shapes: many adaptive batches of different sizes, spheres in the lungs.
    expect(reference.batches).toBeGreaterThan(5);
    expect(new Set(batchSizes(reference)).size).toBeGreaterThan(2);
    expect(reference.spheres.lung).toBeGreaterThan(0);
    for (const r of runs) {
      expect(r.batches).toBe(reference.batches);
      expect(batchSizes(r)).toEqual(batchSizes(reference));
      expect(r.spheres).toEqual(reference.spheres);
      expect(r.segmentLodged).toEqual(reference.segmentLodged);
      expect(r.tumourToNormalRatio).toBe(reference.tumourToNormalRatio);
    }
  });

  it("gives the same batches under stasis and for a selective injection", () => {
    // A branch a few generations below the root, with capacity low enough to stall it.
    let entry = 0;
    for (let g = 0; g < 3; g++) entry = tree.child0[entry];
    const o: TransportOptions = { ...base, entrySegment: entry, spheres: 60_000, embolic: { enabled: true, capacitySpheres: 8 } };
    const runs = [1, 6, 9].map((cutDepth) => simulateTransport(tree, { ...o, cutDepth }, 8));
    expect(runs[1].stasis).toBe(true);
    for (const r of runs) {
      expect(batchSizes(r)).toEqual(batchSizes(runs[1]));
      expect(r.spheres).toEqual(runs[1].spheres);
      expect(r.refluxStartedAtSpheres).toBe(runs[1].refluxStartedAtSpheres);
    }
  });

  it(`a cut deeper than STREAM_DEPTH (${STREAM_DEPTH}) agrees in distribution: T/N and tumour share within 4 se over 8 seeds`, () => {
    const seeds = [...Array(8).keys()];
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const se = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)) / (xs.length - 1));
    const o: TransportOptions = { ...base, spheres: 60_000 };
    const at = (cutDepth: number) => seeds.map((s) => simulateTransport(tree, { ...o, cutDepth }, 40 + s));
    const shallow = at(BATCH_GROUP_DEPTH);
    const deep = at(STREAM_DEPTH + 3);
    for (const q of [(r: (typeof shallow)[0]) => r.tumourToNormalRatio as number, (r: (typeof shallow)[0]) => r.spheres.T1 / o.spheres]) {
      const a = shallow.map(q);
      const b = deep.map(q);
      expect(Math.abs(mean(a) - mean(b))).toBeLessThan(4 * Math.sqrt(se(a) ** 2 + se(b) ** 2));
    }
    // Different streams: not the same bits.
    expect(deep[0].segmentLodged).not.toEqual(shallow[0].segmentLodged);
  });
});

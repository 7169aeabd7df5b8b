import { beforeAll, describe, expect, it } from "vitest";
import { buildDomain, DEFAULT_LIVER_ELLIPSOIDS } from "../../src/geometry/build.js";
import type { Domain } from "../../src/geometry/domain.js";
import { perfusionAt } from "../../src/geometry/domain.js";
import { createStream } from "../../src/random/stream.js";
import { InputError } from "../../src/errors.js";
import { growTree, growTreeDetailed } from "../../src/vascular/grow.js";
import { murrayResidual } from "../../src/vascular/murray.js";
import { createSubtreeEquivalents, distributeFlows, reduceSubtrees, segmentResistances } from "../../src/vascular/hemodynamics.js";
import { deserializeTree, serializeTree, treeSummary, treeToVtp } from "../../src/vascular/export.js";
import { segmentSegmentDistance } from "../../src/vascular/segmentIndex.js";
import { optimisedClearance } from "../../src/vascular/clearance.js";
import type { ArterialTree } from "../../src/vascular/tree.js";
import { M3_PER_S_PER_ML_PER_MIN, PA_PER_MMHG } from "../../src/vascular/tree.js";

// A single-ellipsoid liver so that every volume below has a closed form.
const A = [80, 70, 60] as const;
const LIVER_ML = ((4 / 3) * Math.PI * A[0] * A[1] * A[2]) / 1000;
const TUMOUR_R = 25;
const TUMOUR_ML = ((4 / 3) * Math.PI * TUMOUR_R ** 3) / 1000;
const TN = 4;

function ellipsoidLiver(tumours: Parameters<typeof buildDomain>[0]["tumours"]): Domain {
  return buildDomain({ liver: { ellipsoids: [{ centerMm: [0, 0, 0], semiAxesMm: [...A] }] }, tumours });
}

const TERMINALS = 5000;
const OPTIMISED = 1000;

describe("growTree on a liver with one hypervascular tumour", () => {
  let domain: Domain;
  let tree: ArterialTree;
  beforeAll(() => {
    domain = ellipsoidLiver([{ name: "met", centerMm: [20, 0, 0], radiusMm: TUMOUR_R, tnRatio: TN }]);
    tree = growTree(domain, { terminals: TERMINALS, optimisedTerminals: OPTIMISED }, 5);
  });

  it("stores a binary tree in pre-order with the requested number of terminals", () => {
    const n = tree.segmentCount;
    expect(n).toBe(2 * TERMINALS - 1);
    let terminals = 0;
    for (let i = 0; i < n; i++) {
      if (i > 0) expect(tree.parent[i]).toBeLessThan(i);
      if (tree.child0[i] < 0) {
        terminals++;
        expect(tree.child1[i]).toBe(-1);
        expect(tree.subtreeEnd[i]).toBe(i + 1);
      } else {
        expect(tree.child0[i]).toBe(i + 1);
        expect(tree.parent[tree.child1[i]]).toBe(i);
        expect(tree.subtreeEnd[i]).toBe(tree.subtreeEnd[tree.child1[i]]);
        expect(tree.generation[tree.child0[i]]).toBe(tree.generation[i] + 1);
      }
      // A segment starts where its parent ends.
      if (i > 0) for (let k = 0; k < 3; k++) expect(tree.proximalMm[3 * i + k]).toBe(tree.distalMm[3 * tree.parent[i] + k]);
    }
    expect(terminals).toBe(TERMINALS);
  });

  it("obeys Murray's law at every bifurcation (relative residual < 1e-9)", () => {
    let worst = 0;
    for (let i = 0; i < tree.segmentCount; i++) if (tree.child0[i] >= 0) worst = Math.max(worst, murrayResidual(tree, i, 3));
    expect(worst).toBeLessThan(1e-9);
  });

  it("conserves flow at every node and carries the 400 mL/min root flow", () => {
    expect(tree.flowMlPerMin[0]).toBeCloseTo(400, 9);
    let worst = 0;
    for (let i = 0; i < tree.segmentCount; i++) {
      if (tree.child0[i] < 0) continue;
      const sum = tree.flowMlPerMin[tree.child0[i]] + tree.flowMlPerMin[tree.child1[i]];
      worst = Math.max(worst, Math.abs(tree.flowMlPerMin[i] - sum) / tree.flowMlPerMin[i]);
    }
    expect(worst).toBeLessThan(1e-9);
  });

  it("gives every terminal the same pressure drop: distributeFlows puts every terminal at 25 mmHg", () => {
    const n = tree.segmentCount;
    const resistance = segmentResistances(new Float64Array(n), tree, tree.params.viscosityPaS);
    const eq = reduceSubtrees(createSubtreeEquivalents(n), tree, resistance);
    const flow = new Float64Array(n);
    const distal = new Float64Array(n);
    distributeFlows(flow, distal, tree, resistance, eq, 98 * PA_PER_MMHG);
    const dropPa = (98 - 25) * PA_PER_MMHG;
    let worst = 0;
    for (let i = 0; i < n; i++) if (tree.child0[i] < 0) worst = Math.max(worst, Math.abs(distal[i] - 25 * PA_PER_MMHG) / dropPa);
    expect(worst).toBeLessThan(1e-9);
    expect(flow[0] / M3_PER_S_PER_ML_PER_MIN).toBeCloseTo(400, 6);
  });

  it("sends T/N·V_T / (T/N·V_T + V_N) of the flow to the tumour (closed-form volumes, within 2 %)", () => {
    const expected = (TN * TUMOUR_ML) / (TN * TUMOUR_ML + (LIVER_ML - TUMOUR_ML));
    const got = treeSummary(tree).tumourFlowFraction;
    expect(Math.abs(got - expected) / expected).toBeLessThan(0.02);
  });

  it("shares the liver volume among the terminals: Σ territories = V_liver within 1 %", () => {
    expect(Math.abs(treeSummary(tree).perfusedVolumeMl - LIVER_ML) / LIVER_ML).toBeLessThan(0.01);
  });

  it("covers the liver: every tissue point lies within 2.5·(ΣI/N)^(1/3) of a terminal", () => {
    // Terminal density in normal tissue is N/ΣI (ΣI = ∫ perfusion dV). For sites drawn with that
    // density, a half ball of radius 2.5·(ΣI/N)^(1/3) at the boundary is empty with probability
    // exp(−(2/3)π·2.5³) ≈ 6e-15, so the bound holds for all 4000 probe points unless the sites
    // fail to fill the liver.
    const sumI = LIVER_ML - TUMOUR_ML + TN * TUMOUR_ML;
    const boundMm = 2.5 * Math.cbrt((sumI * 1000) / TERMINALS);
    const terminals: number[] = [];
    for (let i = 0; i < tree.segmentCount; i++) if (tree.child0[i] < 0) terminals.push(i);
    const s = createStream(99, 0);
    let probes = 0;
    let worst = 0;
    while (probes < 4000) {
      const x = (2 * s.nextFloat() - 1) * A[0], y = (2 * s.nextFloat() - 1) * A[1], z = (2 * s.nextFloat() - 1) * A[2];
      if (perfusionAt(domain, x, y, z) <= 0) continue;
      probes++;
      let best = Infinity;
      for (const i of terminals) {
        const d = Math.hypot(tree.distalMm[3 * i] - x, tree.distalMm[3 * i + 1] - y, tree.distalMm[3 * i + 2] - z);
        if (d < best) best = d;
      }
      worst = Math.max(worst, best);
    }
    expect(worst).toBeLessThan(boundMm);
  });

  it("names the proper hepatic, right/left hepatic and S1–S8 arteries, which split the root flow", () => {
    expect(tree.entryPoints["proper-hepatic"]).toBe(0);
    for (const name of ["right-hepatic", "left-hepatic"]) expect(tree.entryPoints[name]).toBeGreaterThan(0);
    let sum = 0;
    for (let s = 1; s <= 8; s++) {
      const e = tree.entryPoints[`S${s}`];
      expect(e).toBeGreaterThan(0);
      sum += tree.flowMlPerMin[e];
    }
    expect(sum).toBeCloseTo(400, 6);
    expect(tree.flowMlPerMin[tree.entryPoints["right-hepatic"]] / 400).toBeGreaterThan(0.5);
    expect(tree.nonTargetBranches?.[0]?.name).toBe("gastroduodenal");
  });

  it("keeps the lumens of non-adjacent optimised segments apart (centre-line distance ≥ r_a + r_b)", () => {
    const opt: number[] = [];
    for (let i = 0; i < tree.segmentCount; i++) if (tree.optimised![i]) opt.push(i);
    expect(opt.length).toBeGreaterThan(OPTIMISED);
    const P = tree.proximalMm, D = tree.distalMm, r = tree.radiusMm;
    const same = (a: Float64Array, i: number, b: Float64Array, j: number) => a[3 * i] === b[3 * j] && a[3 * i + 1] === b[3 * j + 1] && a[3 * i + 2] === b[3 * j + 2];
    let worst = Infinity;
    for (let x = 0; x < opt.length; x++)
      for (let y = x + 1; y < opt.length; y++) {
        const i = opt[x], j = opt[y];
        if (same(P, i, P, j) || same(P, i, D, j) || same(D, i, P, j) || same(D, i, D, j)) continue;
        const d = segmentSegmentDistance(P[3 * i], P[3 * i + 1], P[3 * i + 2], D[3 * i], D[3 * i + 1], D[3 * i + 2], P[3 * j], P[3 * j + 1], P[3 * j + 2], D[3 * j], D[3 * j + 1], D[3 * j + 2]);
        worst = Math.min(worst, d / (r[i] + r[j]));
      }
    expect(worst).toBeGreaterThanOrEqual(1);
    // The grid-based report agrees with this brute-force scan.
    const report = optimisedClearance(tree);
    expect(report.overlappingPairs).toBe(0);
    expect(report.minClearanceRatio).toBeCloseTo(worst, 12);
  });

  it("optimisedClearance counts lumen overlaps when segments do cross", () => {
    // Move one optimised segment's distal end onto another non-adjacent segment's midpoint.
    const copy = deserializeTree(serializeTree(tree));
    const before = optimisedClearance(copy).overlappingPairs;
    const a = copy.entryPoints["S5"], b = copy.entryPoints["S3"];
    for (let k = 0; k < 3; k++) copy.distalMm[3 * a + k] = 0.5 * (copy.proximalMm[3 * b + k] + copy.distalMm[3 * b + k]);
    expect(optimisedClearance(copy).overlappingPairs).toBeGreaterThan(before);
  });

  it("round-trips through the binary format byte for byte", () => {
    const bytes = serializeTree(tree);
    const back = deserializeTree(bytes);
    expect(back.segmentCount).toBe(tree.segmentCount);
    expect(Array.from(back.radiusMm.subarray(0, 50))).toEqual(Array.from(tree.radiusMm.subarray(0, 50)));
    expect(back.entryPoints).toEqual(tree.entryPoints);
    expect(Buffer.from(serializeTree(back)).equals(Buffer.from(bytes))).toBe(true);
  });

  it("writes VTK PolyData that is well-formed XML with one line per segment and the radii as cell data", () => {
    const vtp = treeToVtp(tree);
    // Well-formed: every opened element is closed in order.
    const stack: string[] = [];
    for (const m of vtp.matchAll(/<(\/?)([A-Za-z]+)[^>]*?(\/?)>/g)) {
      if (m[0].startsWith("<?")) continue;
      if (m[1] === "/") expect(stack.pop()).toBe(m[2]);
      else if (m[3] !== "/") stack.push(m[2]);
    }
    expect(stack).toEqual([]);
    expect(vtp).toContain(`NumberOfPoints="${tree.segmentCount + 1}"`);
    expect(vtp).toContain(`NumberOfLines="${tree.segmentCount}"`);
    const radius = /<DataArray type="Float64" Name="radiusMm" format="binary">([^<]*)<\/DataArray>/.exec(vtp)!;
    const raw = Buffer.from(radius[1], "base64");
    expect(raw.readUInt32LE(0)).toBe(8 * tree.segmentCount);
    expect(raw.readDoubleLE(4 + 8 * 7)).toBe(tree.radiusMm[7]);
  });
});

describe("growTree determinism and tissue classes", () => {
  it("gives identical bytes for the same seed and a different tree for another seed", () => {
    const domain = buildDomain({ liver: { ellipsoids: DEFAULT_LIVER_ELLIPSOIDS }, tumours: [] });
    const a = serializeTree(growTree(domain, { terminals: 1500, optimisedTerminals: 300 }, 3));
    const b = serializeTree(growTree(domain, { terminals: 1500, optimisedTerminals: 300 }, 3));
    const c = serializeTree(growTree(domain, { terminals: 1500, optimisedTerminals: 300 }, 4));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });

  it("feeds no terminal in a necrotic core and weights the hypervascular rim (closed-form fraction within 2 %)", () => {
    const core = 0.5, rim = 0.2, rimTn = 8;
    const domain = ellipsoidLiver([{ name: "met", centerMm: [20, 0, 0], radiusMm: TUMOUR_R, tnRatio: TN, necroticCoreFraction: core, rim: { thicknessFraction: rim, tnRatio: rimTn } }]);
    const { tree } = growTreeDetailed(domain, { terminals: 3000, optimisedTerminals: 500 }, 8);
    for (let i = 0; i < tree.segmentCount; i++) {
      if (tree.child0[i] >= 0) continue;
      const d = Math.hypot(tree.distalMm[3 * i] - 20, tree.distalMm[3 * i + 1], tree.distalMm[3 * i + 2]);
      expect(d).toBeGreaterThanOrEqual(core * TUMOUR_R);
    }
    const rimMl = TUMOUR_ML * (1 - (1 - rim) ** 3);
    const innerMl = TUMOUR_ML * ((1 - rim) ** 3 - core ** 3);
    const tumourI = rimTn * rimMl + TN * innerMl;
    const expected = tumourI / (tumourI + LIVER_ML - TUMOUR_ML);
    const got = treeSummary(tree).tumourFlowFraction;
    expect(Math.abs(got - expected) / expected).toBeLessThan(0.02);
  });

  it("rejects invalid options with an InputError naming the field", () => {
    const domain = ellipsoidLiver([]);
    expect(() => growTree(domain, { terminals: 1 })).toThrow(InputError);
    expect(() => growTree(domain, { terminals: 1 })).toThrow(/tree\.terminals/);
    expect(() => growTree(domain, { murrayExponent: 7 })).toThrow(/tree\.murrayExponent must be in \[2, 4\]/);
  });
});

describe("growTree on a label mask", () => {
  it("grows in a mask domain and sends T/N·V_T/(T/N·V_T + V_N) of the flow to the tumour (voxel counts, within 2 %)", async () => {
    const { axisAlignedGeometry } = await import("../../src/geometry/grid.js");
    const { maskDomain } = await import("../../src/geometry/domain.js");
    const { rasterizeDomain } = await import("../../src/geometry/rasterize.js");
    const analytic = ellipsoidLiver([{ name: "met", centerMm: [20, 0, 0], radiusMm: TUMOUR_R, tnRatio: TN }]);
    const geometry = axisAlignedGeometry([84, 74, 64], [2, 2, 2], [-83, -73, -63]);
    const grid = rasterizeDomain({ ...geometry, data: new Uint8Array(84 * 74 * 64) }, analytic);
    const mask = maskDomain(grid, [{ name: "met", tnRatio: TN, maskLabel: 2 }]);
    let tumourVoxels = 0, liverVoxels = 0;
    for (const v of grid.data) {
      if (v !== 0) liverVoxels++;
      if (v === 2) tumourVoxels++;
    }
    const tree = growTree(mask, { terminals: 2000, optimisedTerminals: 400 }, 2);
    const expected = (TN * tumourVoxels) / (TN * tumourVoxels + liverVoxels - tumourVoxels);
    expect(Math.abs(treeSummary(tree).tumourFlowFraction - expected) / expected).toBeLessThan(0.02);
    expect(treeSummary(tree).perfusedVolumeMl).toBeCloseTo(liverVoxels * 0.008, 6);
    expect(tree.flowMlPerMin[0]).toBeCloseTo(400, 9);
  });
});

/**
 * Where a wedged sphere counts (context.ts lodgeCompartmentRange, positions.ts wedgeCompartments).
 *
 * CONSISTENCY CHECK, not a validation: the transport's per-compartment counts (which the realised
 * T/N is computed from) against the same spheres counted by the tissue at the position where
 * positions.ts places them (what the dose sees). Both ask the domain's labels near a wedged
 * vessel's proximal point, so for wedged spheres the agreement is close to true by construction:
 * what the test guards is that counting and placement stay the same rule (a placement moved off
 * the inlet, or the counting rule changed, makes them differ), plus the terminals' clipped spheres,
 * which the two compute independently (the tree's compartment against each placed sphere's label).
 *
 * The 125 mL liver of the sub-terminal tests with one tumour (T/N 4), grown to 150,000 terminals
 * (0.9 mg each, the portal-tract resolution), where the tree's own size exclusion stops 53 % of
 * the resin spheres in resolved vessels, some of them in vessels that run through normal liver on
 * their way to the tumour. Measured (seed 5): tumour share by position 0.1191, by the inlet's
 * tissue 0.1191, by the larger-territory daughter (the fallback without the geometry) 0.1159
 * (−2.7 %; the test asks < −2 %, a seeded run). On
 * the 1.59 L small case the fallback made the realised T/N fall from 4.20 to 4.14 between 120,000
 * and 1.5e6 terminals while the positions gave the same ratio (bench/transport.md "Realised T/N by
 * position").
 */
import { describe, expect, it } from "vitest";
import { buildDomain } from "../../src/geometry/build.js";
import { compartmentOfLabel, labelAt } from "../../src/geometry/domain.js";
import { growTree } from "../../src/vascular/grow.js";
import { simulateTransport } from "../../src/transport/simulate.js";
import { compartmentAcceptance, forEachLodgedSphereChunk, wedgeCompartments } from "../../src/transport/positions.js";
import { productDiameterUm } from "../../src/transport/population.js";
import { PRODUCTS } from "../../src/physics/products.js";
import { AXES } from "./helpers/rdCubes.js";
import { buildSyntheticTree } from "./helpers/syntheticTree.js";

// The resin product's diameters, as simulate.ts and the pipeline take them.
const resin = productDiameterUm(PRODUCTS["sir-spheres"]);
const domain = buildDomain({
  liver: { ellipsoids: [{ centerMm: [0, 0, 0], semiAxesMm: [...AXES] }] },
  tumours: [{ name: "T", centerMm: [12, 0, 0], radiusMm: 10, tnRatio: 4 }],
});

describe("attribution of wedged spheres", () => {
  it("the transport's tumour share equals the placed spheres' by tissue; the larger-daughter fallback undercounts the tumour", () => {
    const tree = growTree(domain, { terminals: 150_000, optimisedTerminals: 100, rootFlowMlPerMin: 31 }, 3);
    const wedge = wedgeCompartments(tree, domain);
    const options = { spheres: 2_000_000, heterogeneity: { model: "fractal" as const }, diameterUm: resin, embolic: { enabled: false } };
    const byInlet = simulateTransport(tree, { ...options, wedgeCompartment: wedge }, 5);
    const byDaughter = simulateTransport(tree, options, 5);
    // The same spheres in the same vessels: only where they count differs.
    expect(byDaughter.segmentLodged).toEqual(byInlet.segmentLodged);
    let wedged = 0;
    for (let j = 0; j < tree.segmentCount; j++) if (tree.child0[j] >= 0) wedged += byInlet.segmentLodged[j];
    const liver = byInlet.spheres.normal + byInlet.spheres.T;
    expect(wedged / liver, "share wedged in resolved vessels").toBeGreaterThan(0.3);

    // Place them (positions.ts, clipped to each terminal's tissue, as the deposit does) and label.
    const placed = [0, 0];
    forEachLodgedSphereChunk(tree, byInlet.segmentLodged, 5, (chunk) => {
      for (let k = 0; k < chunk.count; k++) {
        const c = compartmentOfLabel(domain, labelAt(domain, chunk.positionsMm[3 * k], chunk.positionsMm[3 * k + 1], chunk.positionsMm[3 * k + 2]));
        if (c >= 0) placed[c]++;
      }
    }, 1 << 16, compartmentAcceptance(domain, tree.compartment));
    const placedShare = placed[1] / (placed[0] + placed[1]);
    const inletShare = byInlet.spheres.T / liver;
    const daughterShare = byDaughter.spheres.T / liver;
    const message = `tumour share: placed ${placedShare.toFixed(4)}, inlet tissue ${inletShare.toFixed(4)}, larger daughter ${daughterShare.toFixed(4)}`;
    // Wedged spheres sit in a ball of their vessel's radius (≤ tens of µm) around its inlet, which
    // may straddle the boundary: agreement to 0.5 % of the share.
    expect(Math.abs(inletShare / placedShare - 1), message).toBeLessThan(0.005);
    expect(daughterShare / placedShare - 1, message).toBeLessThan(-0.02);
  }, 120_000);

  it("a selective injection: an inlet in a compartment the injected subtree perfuses nothing of counts by the fallback", () => {
    // UNIT TEST of simulate.ts perfusedWedgeCompartments. A child of the root whose subtree holds no
    // T2 terminal, every non-terminal's inlet declared T2 (any array the option accepts): T2 gets
    // nothing, and the counts equal the run without the array (all by the fallback).
    const tree = buildSyntheticTree({ terminals: 3000, tumours: [{ name: "T1", firstTerminal: 100, terminals: 80, radiusScale: 1.4 }, { name: "T2", firstTerminal: 1700, terminals: 30, radiusScale: 1.2 }], seed: 4 });
    const t2 = tree.compartmentNames.indexOf("T2");
    const holdsT2 = (root: number) => {
      for (let j = root; j < tree.subtreeEnd[root]; j++) if (tree.child0[j] < 0 && tree.compartment[j] === t2) return true;
      return false;
    };
    const entrySegment = [tree.child0[0], tree.child1[0]].find((c) => !holdsT2(c) && tree.child0[c] >= 0) as number;
    expect(entrySegment).toBeDefined();
    const allT2 = new Int32Array(tree.segmentCount).map((_, j) => (tree.child0[j] >= 0 ? t2 : -1));
    // Spheres wider than this tree's non-terminals (≥ 88 µm) so that some wedge in them.
    const options = { spheres: 50_000, entrySegment, diameterUm: { mean: 90, sd: 20, min: 40, max: 140 }, embolic: { enabled: false } };
    const declared = simulateTransport(tree, { ...options, wedgeCompartment: allT2 }, 2);
    const none = simulateTransport(tree, options, 2);
    let wedged = 0;
    for (let j = 0; j < tree.segmentCount; j++) if (tree.child0[j] >= 0) wedged += declared.segmentLodged[j];
    expect(wedged).toBeGreaterThan(0);
    expect(declared.spheres.T2).toBe(0);
    expect(declared.spheres).toEqual(none.spheres);
  });

  it("rejects a wedgeCompartment array of the wrong length or with an unknown compartment", () => {
    const tree = growTree(domain, { terminals: 500, optimisedTerminals: 100, rootFlowMlPerMin: 31 }, 3);
    expect(() => simulateTransport(tree, { spheres: 10, wedgeCompartment: new Int32Array(3) }, 1)).toThrow(/wedgeCompartment/);
    expect(() => simulateTransport(tree, { spheres: 10, wedgeCompartment: new Int32Array(tree.segmentCount).fill(7) }, 1)).toThrow(/wedgeCompartment/);
  });
});

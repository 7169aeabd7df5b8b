import { describe, expect, it } from "vitest";
import { compartmentAcceptance, forEachLodgedSphereChunk } from "../../src/transport/positions.js";
import { buildDomain } from "../../src/geometry/build.js";
import { growTree } from "../../src/vascular/grow.js";
import { simulateTransport } from "../../src/transport/simulate.js";
import { buildSyntheticTree } from "./helpers/syntheticTree.js";

describe("forEachLodgedSphereChunk(…, accept)", () => {
  const tree = buildSyntheticTree({ terminals: 200, territoryMl: 0.002 });
  const r = simulateTransport(tree, { spheres: 20_000 }, 3);
  // Accept only the half-space x ≥ the terminal's distal x: half of each ball.
  const accept = (j: number, x: number) => x >= tree.distalMm[3 * j];

  it("puts every terminal sphere where `accept` says (or at the distal point) and keeps the count", () => {
    let n = 0;
    let fallbacks = 0;
    forEachLodgedSphereChunk(tree, r.segmentLodged, 9, (c) => {
      for (let k = 0; k < c.count; k++) {
        const j = c.segment[k];
        if (tree.child0[j] >= 0) continue; // wedged at a vessel inlet: not clipped
        const x = c.positionsMm[3 * k];
        expect(accept(j, x)).toBe(true);
        if (x === tree.distalMm[3 * j] && c.positionsMm[3 * k + 1] === tree.distalMm[3 * j + 1]) fallbacks++;
        n++;
      }
    }, 4096, accept);
    let terminalSpheres = 0;
    for (let j = 0; j < tree.segmentCount; j++) if (tree.child0[j] < 0) terminalSpheres += r.segmentLodged[j];
    expect(n).toBe(terminalSpheres);
    // With half of every ball acceptable, 64 rejections in a row have probability 2^-64: no fallbacks.
    expect(fallbacks).toBe(0);
  });

  it("falls back to the distal point when nothing in the ball is acceptable", () => {
    forEachLodgedSphereChunk(tree, r.segmentLodged, 9, (c) => {
      for (let k = 0; k < c.count; k++) {
        const j = c.segment[k];
        if (tree.child0[j] >= 0) continue;
        expect([c.positionsMm[3 * k], c.positionsMm[3 * k + 1], c.positionsMm[3 * k + 2]]).toEqual([tree.distalMm[3 * j], tree.distalMm[3 * j + 1], tree.distalMm[3 * j + 2]]);
      }
    }, 4096, () => false);
  });
});

describe("compartmentAcceptance(domain, compartment).wholeBall", () => {
  const domain = buildDomain({
    liver: { ellipsoids: [{ centerMm: [0, 0, 0], semiAxesMm: [80, 70, 60] }] },
    tumours: [{ name: "met", centerMm: [25, 0, 0], radiusMm: 22, tnRatio: 4, necroticCoreFraction: 0.3 }],
  });
  const tree = growTree(domain, { terminals: 3000, optimisedTerminals: 300 }, 5);
  const r = simulateTransport(tree, { spheres: 300_000 }, 3);
  const accept = compartmentAcceptance(domain, tree.compartment);

  it("places every sphere where the per-point test alone places it (the shortcut draws nothing and rejects nothing)", () => {
    const collect = (a: (j: number, x: number, y: number, z: number) => boolean) => {
      const chunks: Float64Array[] = [];
      forEachLodgedSphereChunk(tree, r.segmentLodged, 9, (ch) => chunks.push(ch.positionsMm.slice()), 1 << 16, a);
      return Buffer.concat(chunks.map((x) => Buffer.from(x.buffer)));
    };
    const perPoint = collect((j, x, y, z) => accept(j, x, y, z));
    const withShortcut = collect(accept);
    expect(withShortcut.length).toBe(8 * 3 * (300_000 - (r.spheres.lung ?? 0)));
    expect(withShortcut.equals(perPoint)).toBe(true);
  });

  it("skips the per-point test for most terminals' balls and never for one that crosses the tumour's surface", () => {
    let terminals = 0;
    let skipped = 0;
    const met = domain.tumours[0].shape;
    if (met === null || met.kind !== "sphere") throw new Error("test domain: spherical tumour expected");
    for (let j = 0; j < tree.segmentCount; j++) {
      if (tree.child0[j] >= 0) continue;
      terminals++;
      const radius = Math.cbrt((3 * tree.territoryMl[j] * 1000) / (4 * Math.PI));
      const [x, y, z] = [tree.distalMm[3 * j], tree.distalMm[3 * j + 1], tree.distalMm[3 * j + 2]];
      if (!accept.wholeBall?.(j, x, y, z, radius)) continue;
      skipped++;
      const d = Math.hypot(x - met.centerMm[0], y - met.centerMm[1], z - met.centerMm[2]);
      expect(Math.abs(d - met.radiusMm)).toBeGreaterThan(radius);
    }
    expect(skipped / terminals).toBeGreaterThan(0.5);
  });
});

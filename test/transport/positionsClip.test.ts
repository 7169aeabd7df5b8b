import { describe, expect, it } from "vitest";
import { forEachLodgedSphereChunk } from "../../src/transport/positions.js";
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

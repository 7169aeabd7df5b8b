import { fixedCapacity } from "../../src/transport/models/capacity.js";
import { describe, expect, it } from "vitest";
import { createFlowState } from "../../src/transport/flowSolve.js";
import { simulateTransport } from "../../src/transport/simulate.js";
import { buildSyntheticTree } from "./helpers/syntheticTree.js";

describe("embolic capacity per mL of territory (capacitySpheresPerMl)", () => {
  it("gives each terminal perMl × its territory volume and every other vessel capacitySpheres", () => {
    const tree = buildSyntheticTree({ terminals: 64, territoryMl: 0.25 });
    const state = createFlowState(tree, fixedCapacity(7, 200));
    for (let j = 0; j < tree.segmentCount; j++) expect(state.capacity[j]).toBe(tree.child0[j] < 0 ? 200 * tree.territoryMl[j] : 7);
  });

  it("equals a per-vessel capacity C when every territory holds C spheres' worth (same result, bit for bit)", () => {
    // territory 0.25 mL × 200 spheres/mL = 50 spheres = capacitySpheres: the two descriptions coincide.
    const tree = buildSyntheticTree({ terminals: 256, territoryMl: 0.25 });
    const spheres = 256 * 40;
    const perVessel = simulateTransport(tree, { spheres, embolic: { enabled: true, capacitySpheres: 50 } }, 4);
    const perMl = simulateTransport(tree, { spheres, embolic: { enabled: true, capacitySpheres: 50, capacitySpheresPerMl: 200 } }, 4);
    expect(Array.from(perMl.segmentLodged)).toEqual(Array.from(perVessel.segmentLodged));
    expect(perMl.batches).toBe(perVessel.batches);
    // Halving the density halves every terminal's capacity: the territory fills, flow stops, spheres reflux.
    const tight = simulateTransport(tree, { spheres, embolic: { enabled: true, capacitySpheres: 50, capacitySpheresPerMl: 100 } }, 4);
    expect(tight.stasis).toBe(true);
    expect(perVessel.stasis).toBe(false);
  });
});

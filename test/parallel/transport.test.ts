/**
 * The transport Monte Carlo on worker threads gives the inline result bit for bit: same lodged
 * counts per segment, same lung/reflux counts, same timeline, for 1, 2 and 4 workers, with and
 * without embolic feedback (flows re-solved between batches in shared memory) and size exclusion.
 * Worker runs need the compiled entry point (dist/workers/task.js, built by `npm test`'s pretest).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulateTransport, type TransportOptions } from "../../src/transport/simulate.js";
import { createPool, type WorkerPool } from "../../src/parallel/pool.js";
import { simulateTransportParallel } from "../../src/parallel/transport.js";
import { buildSyntheticTree } from "../transport/helpers/syntheticTree.js";

const tree = buildSyntheticTree({
  terminals: 3000,
  tumours: [
    { name: "T1", firstTerminal: 100, terminals: 80, radiusScale: 1.4 },
    { name: "T2", firstTerminal: 1700, terminals: 30, radiusScale: 1.2 },
  ],
  seed: 4,
});

// Wedged spheres counted by a per-segment array (positions.ts wedgeCompartments in the pipeline;
// here any valid assignment): the workers must read the shared array as the inline run does.
const wedgeCompartment = new Int32Array(tree.segmentCount).map((_, j) => (tree.child0[j] >= 0 ? j % tree.compartmentNames.length : -1));

const cases: Array<[string, TransportOptions]> = [
  ["no feedback, timeline of 3 batches, noise, lung shunt", { spheres: 400_000, timelinePoints: 3, noiseConcentration: 40, lungShuntFraction: 0.07, tumourShuntFractions: { T2: 0.1 } }],
  ["embolic feedback with adaptive batches and size exclusion", { spheres: 60_000, diameterUm: { mean: 32, sd: 10, min: 20, max: 60 }, embolic: { enabled: true, capacitySpheres: 20 } }],
  // Units 9 and 12 generations deep: the flow solve is cut at the batch groups' 6 (cascadeDriver.ts);
  // at 12 the cut roots below STREAM_DEPTH start their own streams.
  ["embolic feedback, cutDepth 9", { spheres: 60_000, cutDepth: 9, diameterUm: { mean: 32, sd: 10, min: 20, max: 60 }, embolic: { enabled: true, capacitySpheres: 20 } }],
  ["embolic feedback, cutDepth 12", { spheres: 60_000, cutDepth: 12, noiseConcentration: 40, diameterUm: { mean: 32, sd: 10, min: 20, max: 60 }, embolic: { enabled: true, capacitySpheres: 20 } }],
  ["embolic feedback, batch rule \"vessel\"", { spheres: 60_000, diameterUm: { mean: 32, sd: 10, min: 20, max: 60 }, embolic: { enabled: true, capacitySpheres: 20, batchRule: "vessel", batchTolerance: 0.05 } }],
  // Capacity from geometry (lumen packing + portal tracts by flow); a short plug so the load binds.
  ["embolic feedback, capacity from geometry", { spheres: 200_000, diameterUm: { mean: 32, sd: 10, min: 20, max: 60 }, embolic: { enabled: true, plugLengthMm: 0.02 } }],
  // Spheres wider than this tree's non-terminals (≥ 88 µm lumens) so that some wedge in them (27,359 of 60,000).
  ["size exclusion, wedged spheres counted by wedgeCompartment", { spheres: 60_000, wedgeCompartment, diameterUm: { mean: 90, sd: 20, min: 40, max: 140 }, embolic: { enabled: true, capacitySpheres: 20 } }],
];

let pools: WorkerPool[] = [];
beforeAll(() => {
  pools = [1, 2, 4].map((workers) => createPool({ workers }));
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.destroy()));
});

describe("simulateTransportParallel(tree, options, seed, pool)", () => {
  for (const [name, options] of cases) {
    it(`equals simulateTransport bit for bit on 1, 2 and 4 workers: ${name}`, async () => {
      const inline = simulateTransport(tree, options, 9);
      expect(inline.batches).toBeGreaterThan(1);
      for (const pool of pools) {
        // minTaskVisits 0: dispatch every batch to the threads, however small.
        const r = await simulateTransportParallel(tree, options, 9, pool, { minTaskVisits: 0 });
        expect(Buffer.from(r.segmentLodged.buffer).equals(Buffer.from(inline.segmentLodged.buffer)), `workers ${pool.workers}`).toBe(true);
        expect(r.spheres).toEqual(inline.spheres);
        expect(r.timeline).toEqual(inline.timeline);
        expect(r.batches).toBe(inline.batches);
        expect(r.stasis).toBe(inline.stasis);
      }
    });
  }

  it("the wedgeCompartment case counts differently from the same run without it (the array is read)", () => {
    const withArray = cases[cases.length - 1][1];
    const { wedgeCompartment: _, ...without } = withArray;
    expect(simulateTransport(tree, withArray, 9).spheres).not.toEqual(simulateTransport(tree, without, 9).spheres);
  });

  it("a different seed changes the result (the comparison above can fail)", async () => {
    const a = await simulateTransportParallel(tree, cases[0][1], 9, pools[1], { minTaskVisits: 0 });
    const b = await simulateTransportParallel(tree, cases[0][1], 10, pools[1], { minTaskVisits: 0 });
    expect(Buffer.from(a.segmentLodged.buffer).equals(Buffer.from(b.segmentLodged.buffer))).toBe(false);
  });

  it("reports progress per batch and stops with an error naming the failing unit", async () => {
    const seen: number[] = [];
    await simulateTransportParallel(tree, cases[0][1], 9, pools[0], { onProgress: (injected) => seen.push(injected) });
    expect(seen.at(-1)).toBe(400_000);
    expect(seen.length).toBe(3);
    process.env.SIRTSIM_FAIL_UNIT = "transport/batch-1/subtree-*";
    try {
      for (const pool of pools.slice(0, 2)) {
        await expect(simulateTransportParallel(tree, cases[0][1], 9, pool, { minTaskVisits: 0 })).rejects.toThrow(/work unit transport\/batch-1\/subtree-\d+ failed: planted failure/);
      }
    } finally {
      delete process.env.SIRTSIM_FAIL_UNIT;
    }
  });
});

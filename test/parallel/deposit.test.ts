/**
 * Lodging positions binned on the pool (src/parallel/deposit.ts) against the same positions binned
 * inline, and the progress it reports.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDomain } from "../../src/geometry/build.js";
import { growTree } from "../../src/vascular/grow.js";
import { simulateTransport } from "../../src/transport/simulate.js";
import { compartmentAcceptance, forEachLodgedSphereChunk } from "../../src/transport/positions.js";
import { countSpheresInGrid } from "../../src/dose/activity.js";
import { doseGridGeometry } from "../../src/pipeline/doseStage.js";
import { depositBlocksOnPool, SEGMENTS_PER_BLOCK, type DepositBlocksInput } from "../../src/parallel/deposit.js";
import { createPool, type WorkerPool } from "../../src/parallel/pool.js";
import { runTask, type Task } from "../../src/parallel/tasks.js";
import "../../src/parallel/handlers.js";

let pool: WorkerPool;
beforeAll(() => {
  pool = createPool({ workers: 2 });
});
afterAll(async () => {
  await pool.destroy();
});

describe("depositBlocksOnPool", () => {
  const domain = buildDomain({
    liver: { ellipsoids: [{ centerMm: [0, 0, 0], semiAxesMm: [80, 70, 60] }] },
    tumours: [{ name: "met", centerMm: [25, 0, 0], radiusMm: 22, tnRatio: 4 }],
  });
  const tree = growTree(domain, { terminals: 20_000, optimisedTerminals: 500 }, 5);
  const transport = simulateTransport(tree, { spheres: 2_000_000 }, 3);
  const geometry = doseGridGeometry(domain, 4, 10);
  const voxels = geometry.dims[0] * geometry.dims[1] * geometry.dims[2];

  it("gives the inline count grid exactly and reports progress up to every sphere placed", async () => {
    const inline = { ...geometry, data: new Float64Array(voxels) };
    let outsideInline = 0;
    forEachLodgedSphereChunk(tree, transport.segmentLodged, 7, (c) => (outsideInline += countSpheresInGrid(inline, c.positionsMm)), undefined, compartmentAcceptance(domain, tree.compartment));
    const blocks = Array.from({ length: Math.ceil(tree.segmentCount / SEGMENTS_PER_BLOCK) }, (_, b) => b);
    const seen: number[] = [];
    const pooled = await depositBlocksOnPool(tree, transport.segmentLodged, blocks, 7, "Y-90", geometry, pool, domain, { onProgress: (placed) => seen.push(placed) });
    expect(Buffer.from(pooled.counts.data.buffer).equals(Buffer.from(inline.data.buffer))).toBe(true);
    expect(pooled.outsideGrid).toBe(outsideInline);
    let lodged = 0;
    for (let j = 0; j < tree.segmentCount; j++) lodged += transport.segmentLodged[j];
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every((x, i) => i === 0 || x > seen[i - 1])).toBe(true);
    expect(seen[seen.length - 1]).toBe(lodged);
  });

  it("reports the spheres of the tasks that finished, in the order they finish", async () => {
    // A pool whose tasks finish last first: progress must add each finished task's own spheres.
    const spheresOfTask = (t: Task) => {
      let n = 0;
      for (const b of (t.input as DepositBlocksInput).blocks) {
        for (let j = b * SEGMENTS_PER_BLOCK; j < Math.min(tree.segmentCount, (b + 1) * SEGMENTS_PER_BLOCK); j++) n += transport.segmentLodged[j];
      }
      return n;
    };
    let expected: number[] = [];
    const reversing: WorkerPool = {
      workers: 4,
      async runAll<O>(tasks: readonly Task[], options: Parameters<WorkerPool["runAll"]>[1] = {}): Promise<O[]> {
        const out: O[] = [];
        for (const t of tasks) out.push(await runTask<O>(t));
        expected = [];
        let sum = 0;
        for (let i = tasks.length - 1, done = 1; i >= 0; i--, done++) {
          expected.push((sum += spheresOfTask(tasks[i])));
          options.onProgress?.(done, tasks.length, i);
        }
        return out;
      },
      destroy: async () => {},
    };
    const blocks = Array.from({ length: Math.ceil(tree.segmentCount / SEGMENTS_PER_BLOCK) }, (_, b) => b);
    const seen: number[] = [];
    await depositBlocksOnPool(tree, transport.segmentLodged, blocks, 7, "Y-90", geometry, reversing, domain, { onProgress: (placed) => seen.push(placed) });
    expect(expected.length).toBeGreaterThan(2);
    // Unequal tasks: in any other order the running sums would differ.
    expect(new Set(expected.map((x, i) => x - (expected[i - 1] ?? 0))).size).toBeGreaterThan(1);
    expect(seen).toEqual(expected);
  });
});

/**
 * The FFT dose on worker threads (slabs of each pass over SharedArrayBuffer grids) equals the
 * inline convolution bit for bit, for 2 and 4 workers, float32 and float64 outputs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { doseFromActivity } from "../../src/dose/convolve.js";
import { voxelSValues } from "../../src/dose/svalues.js";
import { axisAlignedGeometry, type Grid, type Vec3 } from "../../src/geometry/grid.js";
import { createStream } from "../../src/random/stream.js";
import { createPool, type WorkerPool } from "../../src/parallel/pool.js";
import { fftPassRunner, slabs } from "../../src/parallel/dose.js";
import { analyticDomain } from "../../src/geometry/domain.js";
import { parseDoseConfig } from "../../src/dose/config.js";
import { doseFromSphereCounts, doseGridGeometry } from "../../src/pipeline/doseStage.js";

function grid<T extends Float32Array | Float64Array>(dims: Vec3, spacingMm: Vec3, data: T): Grid<T> {
  return { ...axisAlignedGeometry(dims, spacingMm), data };
}

let pools: WorkerPool[] = [];
beforeAll(() => {
  pools = [2, 4].map((workers) => createPool({ workers }));
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.destroy()));
});

describe("fftPassRunner(pool) as doseFromActivity's runPasses", () => {
  it("gives the inline dose bit for bit on 2 and 4 workers (odd dims, float32 and float64)", async () => {
    const dims: Vec3 = [37, 29, 23];
    const spacing: Vec3 = [3, 3, 3];
    const n = dims[0] * dims[1] * dims[2];
    const rng = createStream(5, 1);
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = rng.nextFloat() < 0.2 ? rng.nextFloat() * 1e6 : 0;
    const kernel = voxelSValues("Y-90", spacing);
    for (const Out of [Float32Array, Float64Array]) {
      const inline = grid(dims, spacing, new Out(n));
      await doseFromActivity(inline, grid(dims, spacing, a), kernel);
      let max = 0;
      for (let i = 0; i < n; i++) max = Math.max(max, inline.data[i]);
      expect(max).toBeGreaterThan(0);
      for (const pool of pools) {
        const out = grid(dims, spacing, new Out(n));
        let slabsDone = 0;
        await doseFromActivity(out, grid(dims, spacing, a), kernel, { runPasses: fftPassRunner(pool, { onProgress: (d) => (slabsDone = d) }) });
        expect(Buffer.from(out.data.buffer).equals(Buffer.from(inline.data.buffer)), `${Out.name}, workers ${pool.workers}`).toBe(true);
        expect(slabsDone).toBe(16 + 16 + 16);
      }
    }
  });

  it("gives the inline dose bit for bit with grids on SharedArrayBuffers (used in place) and with an integer activity grid", async () => {
    const dims: Vec3 = [26, 19, 17];
    const spacing: Vec3 = [4, 4, 4];
    const n = dims[0] * dims[1] * dims[2];
    const rng = createStream(12, 1);
    const counts = Uint16Array.from({ length: n }, () => (rng.nextFloat() < 0.2 ? Math.floor(rng.nextFloat() * 5000) : 0));
    const kernel = voxelSValues("Y-90", spacing);
    const inline = grid(dims, spacing, new Float64Array(n));
    await doseFromActivity(inline, { ...axisAlignedGeometry(dims, spacing), data: counts }, kernel);
    expect(Math.max(...inline.data)).toBeGreaterThan(0);
    const runner = fftPassRunner(pools[0]);
    const sharedActivity = new Float64Array(new SharedArrayBuffer(8 * n));
    sharedActivity.set(counts);
    const sharedOut = grid(dims, spacing, new Float64Array(new SharedArrayBuffer(8 * n)));
    await doseFromActivity(sharedOut, grid(dims, spacing, sharedActivity), kernel, { runPasses: runner });
    expect(Buffer.from(sharedOut.data.buffer).equals(Buffer.from(inline.data.buffer)), "shared grids").toBe(true);
    const fromCounts = grid(dims, spacing, new Float64Array(n));
    await doseFromActivity(fromCounts, { ...axisAlignedGeometry(dims, spacing), data: counts }, kernel, { runPasses: runner });
    expect(Buffer.from(fromCounts.data.buffer).equals(Buffer.from(inline.data.buffer)), "integer activity").toBe(true);
  });

  it("doseFromSphereCounts with a runner (its grids on SharedArrayBuffers) gives the inline stage's dose bit for bit", async () => {
    const domain = analyticDomain({ kind: "sphere", centerMm: [0, 0, 0], radiusMm: 30 }, [{ name: "T1", tnRatio: 4, shape: { kind: "sphere", centerMm: [8, 0, 0], radiusMm: 9 } }]);
    const config = parseDoseConfig({ voxelMm: 4 });
    const geometry = doseGridGeometry(domain, config.voxelMm, config.marginMm);
    const n = geometry.dims[0] * geometry.dims[1] * geometry.dims[2];
    const rng = createStream(21, 0);
    const counts = { ...geometry, data: Float64Array.from({ length: n }, () => (rng.nextFloat() < 0.3 ? Math.floor(rng.nextFloat() * 400) : 0)) };
    const inline = await doseFromSphereCounts(counts, 2500, domain, "Y-90", config, 49.67);
    const pooled = await doseFromSphereCounts(counts, 2500, domain, "Y-90", config, 49.67, { runPasses: fftPassRunner(pools[0]) });
    expect(pooled.doseGy.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(inline.doseGy.data.buffer).toBeInstanceOf(ArrayBuffer);
    expect(Buffer.from(pooled.doseGy.data.buffer).equals(Buffer.from(inline.doseGy.data.buffer))).toBe(true);
    expect(pooled.vois.map((v) => v.metrics.meanGy)).toEqual(inline.vois.map((v) => v.metrics.meanGy));
    expect(inline.vois.find((v) => v.name === "T1")!.metrics.meanGy).toBeGreaterThan(0);
  });

  it("one runner reused for several grids, one after the other and concurrently, gives each inline dose", async () => {
    const dims: Vec3 = [24, 20, 18];
    const spacing: Vec3 = [4, 4, 4];
    const n = dims[0] * dims[1] * dims[2];
    const kernel = voxelSValues("Y-90", spacing);
    const activities = [1, 2, 3].map((s) => {
      const rng = createStream(9, s);
      return Float32Array.from({ length: n }, () => (rng.nextFloat() < 0.3 ? rng.nextFloat() * 1e5 : 0));
    });
    const inline = await Promise.all(
      activities.map(async (a) => {
        const out = grid(dims, spacing, new Float32Array(n));
        await doseFromActivity(out, grid(dims, spacing, a), kernel);
        return out.data;
      }),
    );
    const runner = fftPassRunner(pools[0]);
    const run = async (a: Float32Array) => {
      const out = grid(dims, spacing, new Float32Array(n));
      await doseFromActivity(out, grid(dims, spacing, a), kernel, { runPasses: runner });
      return out.data;
    };
    for (let i = 0; i < 3; i++) expect(Buffer.from((await run(activities[i])).buffer).equals(Buffer.from(inline[i].buffer)), `sequential ${i}`).toBe(true);
    const concurrent = await Promise.all(activities.map(run));
    concurrent.forEach((d, i) => expect(Buffer.from(d.buffer).equals(Buffer.from(inline[i].buffer)), `concurrent ${i}`).toBe(true));
  });

  it("a failing slab rejects with an error naming it", async () => {
    process.env.SIRTSIM_FAIL_UNIT = "dose/convolve/*";
    try {
      const dims: Vec3 = [20, 20, 20];
      const g = grid(dims, [4, 4, 4], new Float32Array(8000).fill(1));
      await expect(doseFromActivity(grid(dims, [4, 4, 4], new Float32Array(8000)), g, voxelSValues("Y-90", 4), { runPasses: fftPassRunner(pools[0]) })).rejects.toThrow(
        /work unit dose\/convolve\/rows-\d+-\d+ failed: planted failure/,
      );
    } finally {
      delete process.env.SIRTSIM_FAIL_UNIT;
    }
  });
});

describe("slabs(length, parts)", () => {
  it("covers [0, length) with disjoint ranges, at most `parts` of them", () => {
    for (const length of [1, 5, 16, 17, 100]) {
      const s = slabs(length, 16);
      expect(s.length).toBe(Math.min(16, length));
      expect(s[0][0]).toBe(0);
      expect(s.at(-1)![1]).toBe(length);
      for (let i = 1; i < s.length; i++) expect(s[i][0]).toBe(s[i - 1][1]);
    }
  });
});

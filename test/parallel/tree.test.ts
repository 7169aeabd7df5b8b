/**
 * The tree grown on a pool (src/parallel/tree.ts: the tessellation's owner search in slabs on the
 * workers, the sums on the calling thread) against the same tree grown on one thread: bit for bit,
 * on 2, 3 and 5 workers, for analytic livers (a tumour with a necrotic core and a rim), a mask
 * liver and a 2-terminal tree; the pooled path is shown to run (a planted failure in its units).
 * The owner search itself against brute force on every Lloyd pass.
 */
import { afterAll, describe, expect, it } from "vitest";
import { buildDomain } from "../../src/geometry/build.js";
import { maskDomain, type Domain } from "../../src/geometry/domain.js";
import { axisAlignedGeometry } from "../../src/geometry/grid.js";
import { integrateDomain } from "../../src/geometry/integrate.js";
import { InputError, WorkUnitError } from "../../src/errors.js";
import { growthSites, growTreeDetailed, type GrowOptions } from "../../src/vascular/grow.js";
import { serializeTree } from "../../src/vascular/export.js";
import { latticeOwners, siteHash, tessellationLattice, tessellationSteps, type TessellationLattice } from "../../src/vascular/territories.js";
import { growTreeDetailedOnPool } from "../../src/parallel/tree.js";
import { createPool, type WorkerPool } from "../../src/parallel/pool.js";

const pools = new Map<number, WorkerPool>();
const poolOf = (workers: number) => {
  let pool = pools.get(workers);
  if (pool === undefined) pools.set(workers, (pool = createPool({ workers })));
  return pool;
};
afterAll(async () => {
  for (const pool of pools.values()) await pool.destroy();
});

const analytic = buildDomain({
  liver: { ellipsoids: [{ centerMm: [0, 0, 0], semiAxesMm: [80, 70, 60] }] },
  tumours: [
    { name: "met", centerMm: [25, 0, 0], radiusMm: 22, tnRatio: 4, necroticCoreFraction: 0.4, rim: { thicknessFraction: 0.2, tnRatio: 6 } },
    { name: "small", centerMm: [-40, 20, 10], radiusMm: 8, tnRatio: 3 },
  ],
});

/** A liver ellipsoid of label 1 with a ball of label 7 (a tumour), on 3 mm voxels. */
function maskLiver(): Domain {
  const n = 50;
  const geometry = axisAlignedGeometry([n, n, n], [3, 3, 3], [-75, -75, -75]);
  const data = new Uint8Array(n * n * n);
  for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    const x = -75 + 3 * i, y = -75 + 3 * j, z = -75 + 3 * k;
    if ((x / 70) ** 2 + (y / 60) ** 2 + (z / 50) ** 2 <= 1) data[i + n * (j + n * k)] = (x - 20) ** 2 + y ** 2 + z ** 2 <= 15 ** 2 ? 7 : 1;
  }
  return maskDomain({ ...geometry, data }, [{ name: "t", tnRatio: 4, maskLabel: 7 }]);
}

const CASES: { name: string; domain: () => Domain; options: Partial<GrowOptions>; seed: number }[] = [
  { name: "analytic, necrotic core and rim, 20,000 terminals", domain: () => analytic, options: { terminals: 20_000, optimisedTerminals: 500 }, seed: 5 },
  { name: "mask liver, 8,000 terminals", domain: maskLiver, options: { terminals: 8000, optimisedTerminals: 300 }, seed: 9 },
  { name: "2 terminals", domain: () => analytic, options: { terminals: 2, optimisedTerminals: 2 }, seed: 1 },
];

describe("tree growth on a pool", () => {
  for (const c of CASES) {
    it(`gives the one-thread tree bit for bit on 2, 3 and 5 workers: ${c.name}`, async () => {
      const domain = c.domain();
      const inline = growTreeDetailed(domain, c.options, c.seed);
      const bytes = Buffer.from(serializeTree(inline.tree));
      for (const workers of [2, 3, 5]) {
        const pooled = await growTreeDetailedOnPool(poolOf(workers), domain, c.options, c.seed);
        expect(Buffer.from(serializeTree(pooled.tree)).equals(bytes), `${workers} workers`).toBe(true);
        expect(pooled.stats.connections).toBe(inline.stats.connections);
      }
    });
  }

  it("runs the owner search in the pool's units (a failure planted in them surfaces naming the unit)", async () => {
    process.env.SIRTSIM_FAIL_UNIT = "tree/tessellation/*";
    try {
      const run = growTreeDetailedOnPool(poolOf(2), analytic, CASES[0].options, 5);
      await expect(run).rejects.toThrow(WorkUnitError);
      await expect(run).rejects.toThrow(/work unit tree\/tessellation\/0 failed/);
    } finally {
      delete process.env.SIRTSIM_FAIL_UNIT;
    }
  });

  it("refuses bad options from the sites' worker as an InputError naming the field", async () => {
    await expect(growTreeDetailedOnPool(poolOf(2), analytic, CASES[0].options, -1)).rejects.toThrow(InputError);
    await expect(growTreeDetailedOnPool(poolOf(2), analytic, CASES[0].options, -1)).rejects.toMatchObject({ field: "tree.seed" });
  });
});

/** The owner of every lattice point by trying every site: least (|x − site|² / r², index). */
function bruteForceOwners(lattice: TessellationLattice): Int32Array {
  const { loMm: lo, h, nx, ny, nz, xyzMm: xyz, radius2, compartment, compartmentPlus1 } = lattice;
  const out = new Int32Array(nx * ny * nz).fill(-1);
  for (let iz = 0, q = 0; iz < nz; iz++) for (let iy = 0; iy < ny; iy++) for (let ix = 0; ix < nx; ix++, q++) {
    const c = compartmentPlus1[q] - 1;
    if (c < 0) continue;
    const x = lo[0] + (ix + 0.5) * h, y = lo[1] + (iy + 0.5) * h, z = lo[2] + (iz + 0.5) * h;
    let best = -1, bestW = Infinity;
    for (let i = 0; i < compartment.length; i++) {
      if (compartment[i] !== c) continue;
      const w = ((xyz[3 * i] - x) ** 2 + (xyz[3 * i + 1] - y) ** 2 + (xyz[3 * i + 2] - z) ** 2) / radius2[i];
      if (w < bestW) {
        bestW = w;
        best = i;
      }
    }
    out[q] = best;
  }
  return out;
}

describe("latticeOwners (unit test against brute force)", () => {
  it("finds every point's exact owner on every Lloyd pass, in any split of the layers", () => {
    const domain = analytic;
    const integral = integrateDomain(domain);
    const { sites, rootFlowMlPerMin } = growthSites(domain, { terminals: 1500, optimisedTerminals: 100 }, 11, integral);
    const lattice = tessellationLattice(domain, integral, sites);
    const steps = tessellationSteps(domain, integral, sites, rootFlowMlPerMin, lattice);
    let passes = 0;
    let hash: ReturnType<typeof siteHash> | undefined;
    for (let job = steps.next(); !job.done; passes++) {
      const exact = bruteForceOwners(job.value);
      // The previous pass's hash rewritten in place, as both growth paths do.
      hash = siteHash(job.value, undefined, hash);
      const whole = latticeOwners(job.value, hash, 0, job.value.nz);
      expect(Buffer.from(whole.buffer).equals(Buffer.from(exact.buffer)), `pass ${passes}`).toBe(true);
      const cut = [0, 1, Math.floor(job.value.nz / 3), job.value.nz - 1, job.value.nz];
      const parts = new Int32Array(whole.length).fill(7);
      for (let k = 0; k + 1 < cut.length; k++) latticeOwners(job.value, hash, cut[k], cut[k + 1], { owners: parts, firstLayer: 0 });
      expect(Buffer.from(parts.buffer).equals(Buffer.from(exact.buffer)), `pass ${passes}, split`).toBe(true);
      job = steps.next(whole);
    }
    expect(passes).toBe(3);
  });
});

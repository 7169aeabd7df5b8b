/**
 * The tree grown on a pool (src/parallel/tree.ts: the tessellation's owner search in slabs on the
 * workers, the sums on the calling thread) against the same tree grown on one thread: bit for bit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDomain } from "../../src/geometry/build.js";
import { integrateDomain } from "../../src/geometry/integrate.js";
import { InputError } from "../../src/errors.js";
import { growthSites, growTreeDetailed } from "../../src/vascular/grow.js";
import { serializeTree } from "../../src/vascular/export.js";
import { latticeOwners, siteHash, tessellationLattice } from "../../src/vascular/territories.js";
import { growTreeDetailedOnPool } from "../../src/parallel/tree.js";
import { createPool, type WorkerPool } from "../../src/parallel/pool.js";

let pool: WorkerPool;
beforeAll(() => {
  pool = createPool({ workers: 2 });
});
afterAll(async () => {
  await pool.destroy();
});

const domain = buildDomain({
  liver: { ellipsoids: [{ centerMm: [0, 0, 0], semiAxesMm: [80, 70, 60] }] },
  tumours: [{ name: "met", centerMm: [25, 0, 0], radiusMm: 22, tnRatio: 4 }],
});
const options = { terminals: 20_000, optimisedTerminals: 500 };

describe("tree growth on a pool", () => {
  it("gives the one-thread tree bit for bit, with the tessellation's stages timed", async () => {
    const inline = growTreeDetailed(domain, options, 5);
    const pooled = await growTreeDetailedOnPool(pool, domain, options, 5);
    expect(Buffer.from(serializeTree(pooled.tree)).equals(Buffer.from(serializeTree(inline.tree)))).toBe(true);
    expect(pooled.stats.stageSeconds.tessellation.wall).toBeGreaterThan(0);
    expect(pooled.stats.connections).toBe(inline.stats.connections);
  });

  it("refuses bad options from the sites' worker as an InputError naming the field", async () => {
    await expect(growTreeDetailedOnPool(pool, domain, options, -1)).rejects.toThrow(InputError);
    await expect(growTreeDetailedOnPool(pool, domain, options, -1)).rejects.toMatchObject({ field: "tree.seed" });
  });
});

describe("latticeOwners (unit test)", () => {
  it("gives the same owners in any split of the layers", () => {
    const integral = integrateDomain(domain);
    const { sites } = growthSites(domain, options, 5, integral);
    const lattice = tessellationLattice(domain, integral, sites);
    const hash = siteHash(lattice);
    const whole = latticeOwners(lattice, hash, 0, lattice.nz);
    const cut = [0, 1, Math.floor(lattice.nz / 3), lattice.nz - 1, lattice.nz];
    const parts = new Int32Array(whole.length);
    for (let k = 0; k + 1 < cut.length; k++) parts.set(latticeOwners(lattice, hash, cut[k], cut[k + 1]), cut[k] * lattice.nx * lattice.ny);
    expect(Buffer.from(parts.buffer).equals(Buffer.from(whole.buffer))).toBe(true);
    // Every perfused point has an owner of its own compartment.
    let owned = 0;
    for (let q = 0; q < whole.length; q++) {
      const c = lattice.compartmentPlus1[q] - 1;
      if (c < 0) expect(whole[q]).toBe(-1);
      else {
        expect(lattice.compartment[whole[q]]).toBe(c);
        owned++;
      }
    }
    expect(owned).toBeGreaterThan(2 * options.terminals);
  });
});

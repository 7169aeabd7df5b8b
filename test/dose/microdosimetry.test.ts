import { describe, expect, it } from "vitest";
import { pointKernelDoseMGyPerMBqS } from "../../src/dose/kernel.js";
import { microdosimetryDose } from "../../src/dose/microdosimetry.js";
import { meanLifeS, Y90 } from "../../src/physics/index.js";

describe("microdosimetryDose", () => {
  it("around one 2500 Bq glass sphere on a 0.2 mm grid follows the point kernel at 1–1.6 mm, and counts spheres beyond the region", async () => {
    // Region 4 mm wide centred on the sphere at (2.1, 2.1, 2.1) mm: voxel centres at 0.1 + 0.2·i.
    const positions = Float64Array.from([2.1, 2.1, 2.1, 2.1, 2.1, 2.1 + 6]);
    const activities = Float64Array.from([2500, 2500]);
    const r = await microdosimetryDose(positions, activities, { cornerMm: [0, 0, 0], sizeMm: [4.2, 4.2, 4.2], voxelMm: 0.2 }, { nuclide: "Y-90", densityGPerMl: 1 });
    expect(r.dose.dims).toEqual([21, 21, 21]);
    expect(r.deposit.depositedCount).toBe(2); // the second sphere is 3.9 mm outside the region but within range
    const tau = meanLifeS(Y90);
    for (const steps of [5, 6, 7, 8]) {
      const distMm = steps * 0.2;
      // Along −z (away from the second sphere, whose contribution there is < 1 %).
      const dose = r.dose.data[10 + 21 * (10 + 21 * (10 - steps))];
      const expected = (pointKernelDoseMGyPerMBqS(r.kernel.kernel, distMm) * 2500e-6 * tau) / 1000;
      expect(Math.abs(dose / expected - 1)).toBeLessThan(0.03);
    }
  });
});

describe("microdosimetryDose limits", () => {
  it("rejects a region whose widened grid would need more than 4 GiB, naming region.sizeMm", async () => {
    await expect(
      microdosimetryDose(new Float64Array(3), 1, { cornerMm: [0, 0, 0], sizeMm: [20, 20, 20], voxelMm: 0.05 }, { nuclide: "Y-90" }),
    ).rejects.toThrow(/region.sizeMm \/ voxelMm needs .* GiB/);
    await expect(microdosimetryDose(new Float64Array(3), 1, { cornerMm: [0, 0, 0], sizeMm: [1, 1, 1], voxelMm: 0.5 }, { nuclide: "Y-90" })).rejects.toThrow(
      /region.voxelMm must be in \[0.05, 0.2\]/,
    );
  });
});

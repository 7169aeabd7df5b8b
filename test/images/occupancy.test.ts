/** labelOccupancy (src/io/resample.ts): fractional occupancy of labels in a coarser grid. */
import { describe, expect, it } from "vitest";
import { axisAlignedGeometry } from "../../src/geometry/grid.js";
import { labelOccupancy } from "../../src/io/resample.js";

describe("labelOccupancy", () => {
  it("on a grid twice as coarse, aligned, with 2 sub-points per axis: the fraction of each 2×2×2 block, counted directly", () => {
    // Fine grid 8³ of 1 mm; coarse 4³ of 2 mm whose voxel centres sit between fine ones.
    const fine = { ...axisAlignedGeometry([8, 8, 8], [1, 1, 1]), data: new Uint16Array(512) };
    let seed = 12345;
    for (let n = 0; n < 512; n++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      fine.data[n] = seed % 3; // labels 0, 1, 2
    }
    const coarse = { ...axisAlignedGeometry([4, 4, 4], [2, 2, 2]), originMm: [0.5, 0.5, 0.5] as [number, number, number] };
    const occ = labelOccupancy(fine, coarse, [1, 2], 2);
    for (let k = 0; k < 4; k++) for (let j = 0; j < 4; j++) for (let i = 0; i < 4; i++) {
      const count = [0, 0, 0];
      for (let c = 0; c < 2; c++) for (let b = 0; b < 2; b++) for (let a = 0; a < 2; a++) count[fine.data[2 * i + a + 8 * (2 * j + b + 8 * (2 * k + c))]]++;
      expect(occ.get(1)![i + 4 * (j + 4 * k)]).toBe(count[1] / 8);
      expect(occ.get(2)![i + 4 * (j + 4 * k)]).toBe(count[2] / 8);
    }
  });

  it("on the same grid the fractions are the labels (0 or 1)", () => {
    const g = { ...axisAlignedGeometry([5, 4, 3], [2, 3, 4]), data: new Uint16Array(60).map((_, n) => n % 4) };
    const occ = labelOccupancy(g, g, [3]);
    for (let n = 0; n < 60; n++) expect(occ.get(3)![n]).toBe(g.data[n] === 3 ? 1 : 0);
  });
});

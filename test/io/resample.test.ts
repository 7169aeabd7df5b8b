import { describe, expect, it } from "vitest";
import { resampleGrid } from "../../src/io/resample.js";
import { InputError } from "../../src/errors.js";
import { voxelToWorld, type Grid, type GridGeometry, type Mat3, type Vec3 } from "../../src/geometry/grid.js";

function rotZ(deg: number): Mat3 {
  const t = (deg * Math.PI) / 180;
  return [Math.cos(t), -Math.sin(t), 0, Math.sin(t), Math.cos(t), 0, 0, 0, 1];
}

/** World position in RAS of voxel (i, j, k) of a grid in either frame. */
function rasWorld(g: GridGeometry, i: number, j: number, k: number): Vec3 {
  const w = voxelToWorld([0, 0, 0], g, i, j, k);
  return g.frame === "LPS" ? [-w[0], -w[1], w[2]] : w;
}

function fill<T extends Float32Array | Uint16Array>(g: GridGeometry, data: T, f: (w: Vec3) => number): Grid<T> {
  let v = 0;
  for (let k = 0; k < g.dims[2]; k++) for (let j = 0; j < g.dims[1]; j++) for (let i = 0; i < g.dims[0]; i++) data[v++] = f(rasWorld(g, i, j, k));
  return { ...g, data };
}

const linear = (w: Vec3) => 3 + 0.5 * w[0] - 0.25 * w[1] + 0.125 * w[2];

describe("resampleGrid", () => {
  it("resampleGrid(trilinear) reproduces a linear field exactly between oblique grids in different frames", () => {
    const srcGeom: GridGeometry = { dims: [30, 28, 20], spacingMm: [2, 2.5, 3], originMm: [-30, -35, -30], direction: rotZ(15), frame: "RAS" };
    const source = fill(srcGeom, new Float32Array(30 * 28 * 20), linear);
    // Target in LPS, rotated the other way, with a flipped k axis; wholly inside the source.
    const r = rotZ(-10);
    const target: GridGeometry = {
      dims: [10, 9, 8], spacingMm: [1.7, 2.1, 1.3], originMm: [5, 8, 0],
      direction: [r[0], r[1], -r[2], r[3], r[4], -r[5], r[6], r[7], -r[8]], frame: "LPS",
    };
    const out = resampleGrid(source, target, { method: "trilinear" });
    expect(out.data).toBeInstanceOf(Float32Array);
    expect(out.frame).toBe("LPS");
    let v = 0;
    let maxErr = 0;
    for (let k = 0; k < 8; k++) for (let j = 0; j < 9; j++) for (let i = 0; i < 10; i++) {
      maxErr = Math.max(maxErr, Math.abs(out.data[v++] - linear(rasWorld(target, i, j, k))));
    }
    expect(maxErr).toBeLessThan(1e-4);
  });

  it("resampleGrid(nearest) keeps label values and their type, and puts each label where it is in the world", () => {
    // 80 × 80 × 40 mm rotated 30° about z around its centre (world 0): covers the whole target.
    const r = rotZ(30);
    const half = [38, 38, 18];
    const originMm: Vec3 = [0, 1, 2].map((a) => -(r[3 * a] * half[0] + r[3 * a + 1] * half[1] + r[3 * a + 2] * half[2])) as Vec3;
    const srcGeom: GridGeometry = { dims: [20, 20, 10], spacingMm: [4, 4, 4], originMm, direction: r, frame: "RAS" };
    // Labels by world position: 1 for x < −10, 2 for x > 10, 3 in between when z > 0, else 0.
    const label = (w: Vec3) => (w[0] < -10 ? 1 : w[0] > 10 ? 2 : w[2] > 0 ? 3 : 0);
    const source = fill(srcGeom, new Uint16Array(20 * 20 * 10), label);
    const target: GridGeometry = { dims: [25, 25, 12], spacingMm: [2, 2, 2.5], originMm: [-24, -24, -14], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], frame: "RAS" };
    const out = resampleGrid(source, target, { method: "nearest" });
    expect(out.data).toBeInstanceOf(Uint16Array);
    let v = 0;
    let checked = 0;
    for (let k = 0; k < 12; k++) for (let j = 0; j < 25; j++) for (let i = 0; i < 25; i++, v++) {
      const w = rasWorld(target, i, j, k);
      expect([0, 1, 2, 3]).toContain(out.data[v]);
      // Away from the boundaries (more than a source voxel diagonal) the label must be exact.
      if (Math.abs(Math.abs(w[0]) - 10) > 3.5 && Math.abs(w[2]) > 3.5) {
        expect(out.data[v]).toBe(label(w));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(2000);
  });

  it("resampleGrid maps a flipped-axis image onto an identity grid mirrored", () => {
    const data = new Float32Array([1, 2, 3, 4]);
    const source: Grid = { dims: [4, 1, 1], spacingMm: [1, 1, 1], originMm: [3, 0, 0], direction: [-1, 0, 0, 0, 1, 0, 0, 0, 1], frame: "RAS", data };
    const target: GridGeometry = { dims: [4, 1, 1], spacingMm: [1, 1, 1], originMm: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], frame: "RAS" };
    expect(Array.from(resampleGrid(source, target, { method: "trilinear" }).data)).toEqual([4, 3, 2, 1]);
    expect(Array.from(resampleGrid(source, target, { method: "nearest" }).data)).toEqual([4, 3, 2, 1]);
  });

  it("resampleGrid sets target voxels outside the source to 0", () => {
    const source: Grid = { dims: [2, 1, 1], spacingMm: [1, 1, 1], originMm: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], frame: "RAS", data: new Float32Array([5, 5]) };
    const target: GridGeometry = { dims: [4, 1, 1], spacingMm: [1, 1, 1], originMm: [-1, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], frame: "RAS" };
    expect(Array.from(resampleGrid(source, target, { method: "trilinear" }).data)).toEqual([0, 5, 5, 0]);
  });

  it("resampleGrid rejects grids that do not overlap with an InputError naming the image", () => {
    const source: Grid = { dims: [4, 4, 4], spacingMm: [1, 1, 1], originMm: [100, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], frame: "RAS", data: new Float32Array(64) };
    const target: GridGeometry = { dims: [4, 4, 4], spacingMm: [1, 1, 1], originMm: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], frame: "RAS" };
    const fn = () => resampleGrid(source, target, { method: "nearest", name: "liver.nii.gz" });
    expect(fn).toThrow(InputError);
    expect(fn).toThrow(/liver\.nii\.gz: the image does not overlap the target grid/);
  });
});

import { describe, expect, it } from "vitest";
import { activityGridFromImage, activityGridFromSpheres, countSpheresInGrid } from "../../src/dose/activity.js";
import { cumulatedSecondsPerBq, decayFactor } from "../../src/dose/timeIntegration.js";
import { InputError } from "../../src/errors.js";
import { axisAlignedGeometry, worldToVoxel, type Grid, type GridGeometry, type Vec3 } from "../../src/geometry/grid.js";
import { meanLifeS, Y90 } from "../../src/physics/index.js";
import { createStream } from "../../src/random/stream.js";

function grid<T extends Float32Array | Float64Array | Uint8Array>(dims: Vec3, data: T, spacing: Vec3 = [1, 1, 1], origin: Vec3 = [0, 0, 0]): Grid<T> {
  return { ...axisAlignedGeometry(dims, spacing, origin), data };
}

describe("countSpheresInGrid", () => {
  it("puts each sphere in the voxel worldToVoxel gives (rotated LPS grid, anisotropic voxels) and counts the ones outside", () => {
    // Rotation by 0.7 rad about the axis (1, 2, 3)/√14 (Rodrigues): every direction cosine non-zero.
    const [ux, uy, uz] = [1, 2, 3].map((x) => x / Math.sqrt(14));
    const c = Math.cos(0.7);
    const s = Math.sin(0.7);
    const t = 1 - c;
    const direction: GridGeometry["direction"] = [
      c + ux * ux * t, ux * uy * t - uz * s, ux * uz * t + uy * s,
      uy * ux * t + uz * s, c + uy * uy * t, uy * uz * t - ux * s,
      uz * ux * t - uy * s, uz * uy * t + ux * s, c + uz * uz * t,
    ];
    const geometry: GridGeometry = { dims: [7, 5, 4], spacingMm: [2, 3, 4.5], originMm: [-10, 4, 2.5], direction, frame: "LPS" };
    const out: Grid<Float64Array> = { ...geometry, data: new Float64Array(7 * 5 * 4) };
    const expected = new Float64Array(out.data.length);
    const count = 20_000;
    const positions = new Float64Array(3 * count);
    const rng = createStream(4, 0);
    let outside = 0;
    const v: Vec3 = [0, 0, 0];
    for (let p = 0; p < count; p++) {
      for (let a = 0; a < 3; a++) positions[3 * p + a] = -25 + 50 * rng.nextFloat();
      worldToVoxel(v, geometry, positions[3 * p], positions[3 * p + 1], positions[3 * p + 2]);
      const [i, j, k] = v.map((x) => Math.floor(x + 0.5));
      if (i < 0 || j < 0 || k < 0 || i >= 7 || j >= 5 || k >= 4) outside++;
      else expected[i + 7 * (j + 5 * k)]++;
    }
    expect(countSpheresInGrid(out, positions)).toBe(outside);
    expect(Array.from(out.data)).toEqual(Array.from(expected));
    expect(outside).toBeGreaterThan(0);
    expect(outside).toBeLessThan(count);
  });
});

describe("activityGridFromSpheres", () => {
  it("adds two million 50 Bq spheres into a grid without losing a becquerel (compensated sums)", () => {
    const count = 2_000_000;
    const positions = new Float64Array(3 * count);
    const rng = createStream(9, 0);
    for (let i = 0; i < 3 * count; i++) positions[i] = rng.nextFloat() * 9.99 - 0.49; // inside [−0.5, 9.5)
    const activities = new Float64Array(count);
    let exact = 0;
    for (let i = 0; i < count; i++) {
      activities[i] = 50 + rng.nextFloat() * 1e-3;
      exact += activities[i];
    }
    const out = grid([10, 10, 10], new Float64Array(1000));
    const stats = activityGridFromSpheres(out, positions, activities, { nuclide: "Y-90" });
    expect(stats.depositedCount).toBe(count);
    const total = out.data.reduce((a, b) => a + b, 0);
    expect(Math.abs(total - exact)).toBeLessThan(1e-6);
  });

  it("keeps a million 1 Bq deposits next to a 1e17 Bq one (a naive float64 sum would drop them all)", () => {
    const count = 1_000_001;
    const positions = new Float64Array(3 * count); // all at the origin voxel
    const activities = new Float64Array(count).fill(1);
    activities[0] = 1e17;
    const out = grid([2, 2, 2], new Float64Array(8));
    activityGridFromSpheres(out, positions, activities, { nuclide: "Y-90" });
    expect(out.data[0]).toBe(1e17 + 1e6);
  });

  it("puts a sphere in the voxel whose centre is nearest, decays it to the reference time, and counts spheres outside", () => {
    const out = grid([4, 4, 4], new Float64Array(64), [2, 2, 2], [10, 10, 10]);
    const positions = Float64Array.from([12.9, 10.2, 15.1, 100, 0, 0]);
    const stats = activityGridFromSpheres(out, positions, 1000, { nuclide: "Y-90", elapsedH: Y90.halfLifeH });
    expect(out.data[1 + 4 * (0 + 4 * 3)]).toBeCloseTo(500, 9); // (12.9−10)/2 = 1.45 → 1; 5.1/2 = 2.55 → 3
    expect(stats.outsideCount).toBe(1);
    expect(stats.outsideBq).toBeCloseTo(500, 9);
  });

  it("rejects positions that are not triples and activity arrays of the wrong length", () => {
    const out = grid([2, 2, 2], new Float64Array(8));
    expect(() => activityGridFromSpheres(out, new Float64Array(4), 1, { nuclide: "Y-90" })).toThrow(/positionsMm must hold 3 numbers/);
    expect(() => activityGridFromSpheres(out, new Float64Array(6), new Float64Array(3), { nuclide: "Y-90" })).toThrow(InputError);
  });
});

describe("activityGridFromImage", () => {
  it("scales the image so its total is the administered activity × (1 − LSF) × (1 − residual)", () => {
    const img = new Float32Array(27).map((_, i) => i % 5);
    const out = grid([3, 3, 3], new Float64Array(27));
    const stats = activityGridFromImage(out, grid([3, 3, 3], img), { administeredGBq: 2, lungShuntFraction: 0.1, residualFraction: 0.03 });
    const expected = 2e9 * 0.9 * 0.97;
    expect(stats.totalBq).toBeCloseTo(expected, 3);
    expect(out.data.reduce((a, b) => a + b, 0)).toBeCloseTo(expected, 3);
    expect(out.data[3] / out.data[1]).toBeCloseTo(3, 12); // shape kept
  });

  it("partitionActivity on a voxel grid puts T/N times the normal-liver concentration in the tumour (Ho 1996)", () => {
    // 10 tumour voxels (label 2), 90 normal (label 1), T/N = 4: tumour share = 4·10 / (4·10 + 90).
    const labels = new Uint8Array(100).map((_, i) => (i < 10 ? 2 : 1));
    const img = new Float32Array(100).fill(1);
    const out = grid([10, 10, 1], new Float64Array(100));
    const stats = activityGridFromImage(out, grid([10, 10, 1], img), {
      administeredGBq: 1.3,
      labels: grid([10, 10, 1], labels),
      compartments: [{ label: 2, relativeConcentration: 4 }, { label: 1 }],
      withinCompartment: "uniform",
    });
    expect(stats.compartments[0].activityBq).toBeCloseTo((1.3e9 * 40) / 130, 0);
    expect(out.data[0] / out.data[50]).toBeCloseTo(4, 12);
  });

  it("rejects negative image values instead of clamping them", () => {
    const out = grid([2, 1, 1], new Float64Array(2));
    expect(() => activityGridFromImage(out, grid([2, 1, 1], Float32Array.from([1, -1])), { administeredGBq: 1 })).toThrow(/image values must be finite and ≥ 0/);
  });
});

describe("time integration", () => {
  it("cumulatedSecondsPerBq is τ to complete decay and τ/2 to one half-life", () => {
    expect(cumulatedSecondsPerBq("Y-90")).toBeCloseTo(meanLifeS(Y90), 6);
    expect(cumulatedSecondsPerBq("Y-90", 64.1)).toBeCloseTo(meanLifeS(Y90) / 2, 6);
    expect(decayFactor("Y-90", 64.1)).toBeCloseTo(0.5, 12);
    expect(() => cumulatedSecondsPerBq("Y-90", -1)).toThrow(/untilH must be in/);
  });
});

import { describe, expect, it } from "vitest";
import { doseFromActivity } from "../../src/dose/convolve.js";
import { directSumDose } from "../../src/dose/directSum.js";
import { pointKernelDoseMGyPerMBqS } from "../../src/dose/kernel.js";
import { localDepositionDose } from "../../src/dose/localDeposition.js";
import { voxelSValues } from "../../src/dose/svalues.js";
import { createFftContext, fftSize } from "../../src/dose/fft3d.js";
import { InputError } from "../../src/errors.js";
import { axisAlignedGeometry, type Grid, type Vec3 } from "../../src/geometry/grid.js";
import { derivedDoseCoefficientGyKgPerGBq, JOULE_PER_MEV, meanLifeS, Y90 } from "../../src/physics/index.js";
import { createStream } from "../../src/random/stream.js";

function grid<T extends Float32Array | Float64Array>(dims: Vec3, spacingMm: Vec3, data: T): Grid<T> {
  return { ...axisAlignedGeometry(dims, spacingMm), data };
}

describe("doseFromActivity (FFT convolution)", () => {
  it("equals direct summation to 1e-5 relative on random small cases (odd sizes, anisotropic voxels)", async () => {
    const cases: Array<[Vec3, Vec3]> = [
      [[7, 5, 9], [2, 2, 2]],
      [[20, 13, 11], [1, 1.5, 2]],
      [[33, 17, 24], [4.42, 4.42, 4.42]],
      [[3, 40, 6], [3, 0.8, 5]],
    ];
    for (const [c, [dims, spacing]] of cases.entries()) {
      const rng = createStream(77, c);
      const n = dims[0] * dims[1] * dims[2];
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++) a[i] = rng.nextFloat() < 0.3 ? rng.nextFloat() * 1e6 : 0;
      const kernel = voxelSValues("Y-90", spacing);
      const fft = grid(dims, spacing, new Float32Array(n));
      const direct = grid(dims, spacing, new Float64Array(n));
      await doseFromActivity(fft, grid(dims, spacing, a), kernel);
      directSumDose(direct, grid(dims, spacing, a), kernel);
      let max = 0;
      for (let i = 0; i < n; i++) max = Math.max(max, direct.data[i]);
      for (let i = 0; i < n; i++) expect(Math.abs(fft.data[i] - direct.data[i])).toBeLessThan(1e-5 * max);
    }
  });

  it("gives the MIRD dose K·A/M inside a large uniform activity, within 1 % (0.1 % with the normalised kernel)", async () => {
    // 2 mm voxels, 40³ grid, uniform 1 MBq per voxel; the centre is 40 mm from every edge.
    const dims: Vec3 = [40, 40, 40];
    const s: Vec3 = [2, 2, 2];
    const a = new Float32Array(40 ** 3).fill(1e6);
    const massKg = (1.03 * 8) / 1e6; // ρ · V: 1.03 g/mL × 0.008 mL
    const mird = (derivedDoseCoefficientGyKgPerGBq(Y90) * 1e-3) / massKg; // K · A[GBq] / M
    for (const [normalise, tol] of [[true, 1e-3], [false, 1e-2]] as const) {
      const out = grid(dims, s, new Float32Array(a.length));
      await doseFromActivity(out, grid(dims, s, a), voxelSValues("Y-90", 2, { densityGPerMl: 1.03, normaliseToMeanEnergy: normalise }));
      const centre = out.data[20 + 40 * (20 + 40 * 20)];
      expect(Math.abs(centre / mird - 1)).toBeLessThan(tol);
    }
  });

  it("deposits the emitted energy within 1 % when the grid extends 11 mm beyond the activity", async () => {
    // Voxels 11..17 active in a 29³ grid of 1 mm: 11 mm of margin on every side (edge to edge).
    const dims: Vec3 = [29, 29, 29];
    const s: Vec3 = [1, 1, 1];
    const a = new Float64Array(29 ** 3);
    const rng = createStream(5, 1);
    let totalBq = 0;
    for (let k = 11; k < 18; k++) for (let j = 11; j < 18; j++) for (let i = 11; i < 18; i++) {
      const v = rng.nextFloat() * 1e5;
      a[i + 29 * (j + 29 * k)] = v;
      totalBq += v;
    }
    const kernel = voxelSValues("Y-90", 1, { densityGPerMl: 1.03 });
    const out = grid(dims, s, new Float64Array(a.length));
    await doseFromActivity(out, grid(dims, s, a), kernel);
    let absorbedJ = 0;
    const voxelKg = 1.03e-6;
    for (let n = 0; n < a.length; n++) absorbedJ += out.data[n] * voxelKg;
    const emittedJ = totalBq * meanLifeS(Y90) * Y90.meanEnergyMeV * JOULE_PER_MEV;
    expect(Math.abs(absorbedJ / emittedJ - 1)).toBeLessThan(0.01);
  });

  it("reproduces the radial point kernel around a single source voxel (0.25 mm voxels, 2–8 mm, within 2 %)", async () => {
    const s = 0.25;
    const n = 81;
    const dims: Vec3 = [n, n, n];
    const a = new Float32Array(n ** 3);
    const c = 40;
    a[c + n * (c + n * c)] = 1e6; // 1 MBq
    const kernel = voxelSValues("Y-90", s, { densityGPerMl: 1 });
    const out = grid(dims, [s, s, s], new Float32Array(a.length));
    await doseFromActivity(out, grid(dims, [s, s, s], a), kernel, { untilH: Infinity });
    const tau = meanLifeS(Y90);
    for (const r of [2, 4, 6, 8]) {
      const i = c + Math.round(r / s);
      const doseGy = out.data[i + n * (c + n * c)];
      const expected = (pointKernelDoseMGyPerMBqS(kernel.kernel, r) * 1 * tau) / 1000;
      expect(Math.abs(doseGy / expected - 1)).toBeLessThan(0.02);
    }
  });

  it("integrates to a time point: to one half-life it gives half of the dose to complete decay", async () => {
    const dims: Vec3 = [8, 8, 8];
    const a = new Float32Array(512).fill(1e5);
    const k = voxelSValues("Y-90", 2);
    const full = grid(dims, [2, 2, 2], new Float32Array(512));
    const half = grid(dims, [2, 2, 2], new Float32Array(512));
    await doseFromActivity(full, grid(dims, [2, 2, 2], a), k);
    await doseFromActivity(half, grid(dims, [2, 2, 2], a), k, { untilH: Y90.halfLifeH });
    for (let i = 0; i < 512; i += 37) expect(half.data[i] / full.data[i]).toBeCloseTo(0.5, 5);
  });

  it("rejects a kernel whose voxel size differs from the grid's, naming kernel.spacingMm", async () => {
    const g = grid([4, 4, 4], [2, 2, 2], new Float32Array(64));
    await expect(doseFromActivity(g, g, voxelSValues("Y-90", 3))).rejects.toThrow(InputError);
    await expect(doseFromActivity(g, g, voxelSValues("Y-90", 3))).rejects.toThrow(/kernel.spacingMm must equal/);
  });

  it("with one FFT context reused across grids and sizes, gives each fresh-context dose bit for bit (the kept spectrum leaves nothing behind)", async () => {
    const spacing: Vec3 = [4, 4, 4];
    const kernel = voxelSValues("Y-90", spacing);
    const ctx = await createFftContext();
    const cases: Vec3[] = [[19, 14, 11], [19, 14, 11], [9, 12, 7], [19, 14, 11]];
    for (const [c, dims] of cases.entries()) {
      const rng = createStream(41, c);
      const n = dims[0] * dims[1] * dims[2];
      // Dense then sparse activity, so a stale spectrum would show.
      const a = Float32Array.from({ length: n }, () => (rng.nextFloat() < (c % 2 ? 0.05 : 0.9) ? rng.nextFloat() * 1e6 : 0));
      const reused = grid(dims, spacing, new Float32Array(n));
      const fresh = grid(dims, spacing, new Float32Array(n));
      await doseFromActivity(reused, grid(dims, spacing, a), kernel, { context: ctx });
      await doseFromActivity(fresh, grid(dims, spacing, a), kernel);
      expect(Buffer.from(reused.data.buffer).equals(Buffer.from(fresh.data.buffer)), `case ${c}`).toBe(true);
      expect(Math.max(...reused.data)).toBeGreaterThan(0);
    }
  });

  it("fftSize picks the smallest 2^a·3^b·5^c multiple of 16 or 32", () => {
    expect(fftSize(259, 32)).toBe(288);
    expect(fftSize(259, 16)).toBe(288);
    expect(fftSize(17, 16)).toBe(32);
    expect(fftSize(161, 16)).toBe(192);
    expect(fftSize(300, 16)).toBe(320);
  });
});

describe("localDepositionDose (LDM)", () => {
  it("equals K·A/M in every voxel, with K = 49.96 Gy·kg/GBq for Y-90", () => {
    const dims: Vec3 = [5, 4, 3];
    const s: Vec3 = [4.42, 4.42, 4.42];
    const a = new Float64Array(60).map((_, i) => (i * 7919) % 101 * 1e5);
    const out = grid(dims, s, new Float64Array(60));
    localDepositionDose(out, grid(dims, s, a), { nuclide: "Y-90", densityGPerMl: 1.05 });
    const massKg = (1.05 * 4.42 ** 3) / 1e6;
    for (let i = 0; i < 60; i++) {
      const expected = (49.96 * (a[i] / 1e9)) / massKg;
      expect(Math.abs(out.data[i] - expected)).toBeLessThanOrEqual(2e-4 * expected + 1e-300); // K rounded to 49.96
      const exact = (derivedDoseCoefficientGyKgPerGBq(Y90) * (a[i] / 1e9)) / massKg;
      expect(Math.abs(out.data[i] - exact)).toBeLessThanOrEqual(1e-12 * exact);
    }
  });

  it("deposits the same total energy as the FFT convolution when the grid holds the beta range", async () => {
    const dims: Vec3 = [24, 24, 24];
    const s: Vec3 = [1, 1, 1];
    const a = new Float64Array(24 ** 3);
    for (let k = 10; k < 14; k++) for (let j = 10; j < 14; j++) for (let i = 10; i < 14; i++) a[i + 24 * (j + 24 * k)] = 1e5;
    const ldm = grid(dims, s, new Float64Array(a.length));
    const fft = grid(dims, s, new Float64Array(a.length));
    localDepositionDose(ldm, grid(dims, s, a), { nuclide: "Y-90", densityGPerMl: 1.03 });
    await doseFromActivity(fft, grid(dims, s, a), voxelSValues("Y-90", 1, { densityGPerMl: 1.03 }));
    const sum = (x: Float64Array) => x.reduce((p, q) => p + q, 0);
    expect(Math.abs(sum(fft.data) / sum(ldm.data) - 1)).toBeLessThan(0.005);
  });
});
